output "network_id" {
  description = "Id of the VPC (projects/P/global/networks/N)."
  value       = google_compute_network.this.id
}

output "network_name" {
  description = "Name of the VPC."
  value       = google_compute_network.this.name
}

output "private_services_network" {
  description = "The VPC id, available only once private services access is connected (Cloud SQL must wait for it)."
  value       = google_service_networking_connection.private_services.network
}

output "subnet_id" {
  description = "Id of the nodes subnet (projects/P/regions/R/subnetworks/S)."
  value       = google_compute_subnetwork.nodes.id
}

output "subnet_name" {
  description = "Name of the nodes subnet."
  value       = google_compute_subnetwork.nodes.name
}

output "pods_range_name" {
  description = "Secondary range name for Pods."
  value       = "pods"
}

output "services_range_name" {
  description = "Secondary range name for Services."
  value       = "services"
}

output "ingress_address_name" {
  description = "Name of the global address the Ingress uses (kubernetes.io/ingress.global-static-ip-name)."
  value       = google_compute_global_address.ingress.name
}

output "ingress_address" {
  description = "The load balancer's IP address: point the Atlas DNS name here."
  value       = google_compute_global_address.ingress.address
}

package cursor

// Page asks for one page of a list.
type Page struct {
	// Limit is the page size; callers clamp it (the API allows 1..100).
	Limit int
	// After is the cursor returned with the previous page; empty for the first.
	After string
}

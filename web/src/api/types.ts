// Names for the generated API shapes, so pages import `Item` rather than
// spelling out components["schemas"]["Item"]. Nothing here is hand-written
// shape: every type is an alias of src/api/schema.ts.
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type Collection = Schemas['Collection'];
export type Item = Schemas['Item'];
/** One page of a collection's items. */
export type ItemList = Schemas['ListBodyItem'];
export type Member = Schemas['Member'];
/** One page of a collection's members. */
export type MemberList = Schemas['ListBodyMember'];
export type Tag = Schemas['Tag'];
export type Team = Schemas['Team'];
/** One page of the caller's teams. */
export type TeamList = Schemas['ListBodyTeam'];
export type TeamMember = Schemas['TeamMember'];
/** One page of a team's members. */
export type TeamMemberList = Schemas['ListBodyTeamMember'];
/** A role in a team: owners manage it, members belong to it. */
export type TeamRole = Team['role'];
export type User = Schemas['User'];
export type AccountSession = Schemas['Session'];
export type ApiToken = Schemas['APIToken'];
export type ApiTokenScope = ApiToken['scope'];
export type Role = Collection['role'];
/** What the caller may do in a collection, as the server decides it. */
export type Permissions = Collection['permissions'];
/** A problem body; every field optional, since a proxy or a crash may send less. */
export type Problem = Partial<Schemas['ErrorModel']>;
export type CreateItemBody = Schemas['CreateItemInputBody'];
export type UpdateItemBody = Schemas['UpdateItemInputBody'];
export type Job = Schemas['Job'];
export type JobStatus = Job['status'];
export type JobType = Job['type'];
export type AuditEvent = Schemas['AuditEvent'];
export type AuditEntityType = Schemas['AuditEntity']['type'];
export type SearchHit = Schemas['SearchHit'];
type SearchQuery = NonNullable<paths['/api/v1/search/items']['get']['parameters']['query']>;
export type SearchSort = NonNullable<SearchQuery['sort']>;
export type SearchOrder = NonNullable<SearchQuery['order']>;

/** Every role, from most to least powerful. */
export const roles: readonly Role[] = ['owner', 'editor', 'viewer'];
/** Every team role, from most to least powerful. */
export const teamRoles: readonly TeamRole[] = ['owner', 'member'];
export type ImportReport = Schemas['ImportReport'];
export type ImportSummary = Schemas['ImportSummary'];
export type ImportStatus = ImportSummary['status'];
export type PublicLink = Schemas['PublicLink'];
/** A new public link: the link, its secret (shown once) and its page's path. */
export type NewPublicLink = Schemas['NewPublicLinkOutputBody'];
export type PublicCollection = Schemas['PublicCollection'];
export type PublicItem = Schemas['PublicItem'];
export type Webhook = Schemas['Webhook'];
export type WebhookWithSecret = Schemas['WebhookWithSecret'];
export type WebhookEventType = NonNullable<Webhook['event_types']>[number];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type WebhookDeliveryAttempt = Schemas['WebhookDeliveryAttempt'];
export type DuplicateMatch = Schemas['DuplicateMatch'];
export type DuplicateGroup = Schemas['DuplicateGroup'];
export type DuplicateKind = DuplicateGroup['kind'];
export type LinkHealth = Schemas['LinkHealth'];
export type LinkStatus = LinkHealth['status'];

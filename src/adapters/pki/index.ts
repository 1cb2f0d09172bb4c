/**
 * The PKI adapter's public surface: a federation's certificate authority, participant
 * certificates bound to a role and name, revocation (CRL) and signed startup kits.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export { certificateFingerprint, normalizeFingerprint } from './certificateFingerprint.ts'
export { validityDaysSchema } from './certificateValidity.ts'
export type { FederationCa, FederationCaParameters } from './createFederationCa.ts'
export { createFederationCa } from './createFederationCa.ts'
export { createKitPeerCheck } from './createKitPeerCheck.ts'
export { createKitSecaggIdentity } from './createKitSecaggIdentity.ts'
export { exportCrl } from './exportCrl.ts'
export type { IssuedParticipant, IssueParticipantParameters } from './issueParticipant.ts'
export { DEFAULT_SERVICE_PROVIDER_HOSTS, issueParticipant } from './issueParticipant.ts'
export { kitLedgerSeed } from './kitLedgerSeed.ts'
export { endpointSchema, hostSchema, jobReferenceSchema } from './kitParameters.ts'
export { listRevokedSerials } from './listRevokedSerials.ts'
export type { OpenStartupKitOptions, StartupKit } from './openStartupKit.ts'
export { openStartupKit } from './openStartupKit.ts'
export type { ParticipantIdentity } from './participantIdentity.ts'
export { identityUri, safeIdSchema } from './participantIdentity.ts'
export type { ParticipantRole } from './participantRole.ts'
export { PARTICIPANT_ROLES, participantRoleSchema } from './participantRole.ts'
export type { PkiDirectory } from './pkiDirectory.ts'
export { PKI_FILES, readPkiDirectory } from './pkiDirectory.ts'
export { assertFreshDirectory } from './pkiFiles.ts'
export type { PkiRegistry, RegistryEntry, RevocationReason } from './pkiRegistry.ts'
export {
  isLive,
  pkiRegistrySchema,
  REVOCATION_REASONS,
  registryEntrySchema,
} from './pkiRegistry.ts'
export type { CertificateInput } from './readPeerIdentity.ts'
export { readPeerIdentity } from './readPeerIdentity.ts'
export type { RevokeParticipantParameters } from './revokeParticipant.ts'
export { revokeParticipant } from './revokeParticipant.ts'
export type { StartupKitManifest } from './startupKitManifest.ts'
export { KIT_FILES, startupKitManifestSchema } from './startupKitManifest.ts'
export type { WriteStartupKitParameters } from './writeStartupKit.ts'
export { writeStartupKit } from './writeStartupKit.ts'

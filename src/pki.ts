/**
 * `msfl/pki`: a federation's certificate authority, participant certificates bound to a
 * role and a name, revocation (a signed CRL) and signed startup kits, the identities mutual
 * TLS and signed envelopes use in a networked deployment (docs/pki.md). A separate entry
 * point because its X.509 library takes most of a second to load, which `import 'msfl'`
 * should not pay.
 *
 * @module msfl/pki
 */

export {
  type CertificateInput,
  certificateFingerprint,
  createFederationCa,
  DEFAULT_SERVICE_PROVIDER_HOSTS,
  exportCrl,
  type FederationCa,
  type FederationCaParameters,
  type IssuedParticipant,
  type IssueParticipantParameters,
  issueParticipant,
  type OpenStartupKitOptions,
  openStartupKit,
  PARTICIPANT_ROLES,
  type ParticipantIdentity,
  type ParticipantRole,
  type PkiDirectory,
  type PkiRegistry,
  pkiRegistrySchema,
  REVOCATION_REASONS,
  type RegistryEntry,
  type RevocationReason,
  type RevokeParticipantParameters,
  readPeerIdentity,
  readPkiDirectory,
  registryEntrySchema,
  revokeParticipant,
  type StartupKit,
  type StartupKitManifest,
  startupKitManifestSchema,
  type WriteStartupKitParameters,
  writeStartupKit,
} from './adapters/pki/index.ts'

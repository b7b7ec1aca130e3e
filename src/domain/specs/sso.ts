import type { ExtraFields } from '../fields/extra-fields.js';
import { setOwn } from '../fields/json-dates.js';
import { LIMITS } from '../fields/limits.js';
import { defineRecord } from '../fields/record-spec.js';
import type {
  OIDCProviderRecord,
  SAMLProviderRecord,
  SSOLink,
  SSOProviderType,
  SSOSession,
} from '../records/records.js';
import {
  array,
  boolean,
  date,
  id,
  jsonObject,
  oneOf,
  string,
  stringArray,
  stringRecord,
} from '../fields/validation.js';

export const SSO_PROVIDER_TYPES = ['saml', 'oidc', 'oauth'] as const satisfies readonly SSOProviderType[];

const short = () => string({ max: LIMITS.shortText });
const url = () => string({ max: LIMITS.url });
// PEM certificates and keys: a few kilobytes.
const pem = () => string({ max: LIMITS.secret });

type ProviderFields<T> = Omit<T, 'id' | 'type' | 'createdAt' | 'updatedAt'>;
export type OIDCProviderInput = ProviderFields<OIDCProviderRecord>;
export type SAMLProviderInput = ProviderFields<SAMLProviderRecord>;

/** The fields of an OIDC provider other than id, type and timestamps (create input and update patch). */
const oidcRules = {
  name: short(),
  orgId: id(),
  metadata_url: url(),
  client_id: short(),
  // Public clients (PKCE, auth method "none") have an empty secret.
  client_secret: string({ max: LIMITS.secret, allowEmpty: true }),
  redirect_uris: array(url()),
  scopes: stringArray(),
  response_type: short(),
  token_endpoint_auth_method: short(),
  claim_mapping: stringRecord(),
  metadata: jsonObject(),
};

const samlRules = {
  name: short(),
  orgId: id(),
  idp_entity_id: url(),
  idp_sso_url: url(),
  idp_slo_url: url(),
  idp_certificate: pem(),
  sp_entity_id: url(),
  sp_acs_url: url(),
  sp_slo_url: url(),
  signing_cert: pem(),
  signing_key: pem(),
  encryption_enabled: boolean(),
  force_authn: boolean(),
  allow_unencrypted_assertion: boolean(),
  attribute_mapping: stringRecord(),
  metadata: jsonObject(),
};

/**
 * A caller's other fields are kept as extra fields (upstream's memory adapter spreads the provider's
 * data), except the fields of the other kind of provider: those stay refused, so a SAML signing key
 * given to an OIDC provider is an error rather than an extra field stored in clear.
 */
export const oidcProviderSpec = defineRecord<OIDCProviderInput>(
  'ssoProvider',
  oidcRules,
  ['orgId', 'scopes', 'response_type', 'token_endpoint_auth_method', 'claim_mapping', 'metadata'],
  { extras: true, reserved: Object.keys(samlRules) },
);

export const samlProviderSpec = defineRecord<SAMLProviderInput>(
  'ssoProvider',
  samlRules,
  [
    'orgId',
    'idp_slo_url',
    'idp_certificate',
    'sp_slo_url',
    'signing_cert',
    'signing_key',
    'encryption_enabled',
    'force_authn',
    'allow_unencrypted_assertion',
    'attribute_mapping',
    'metadata',
  ],
  { extras: true, reserved: Object.keys(oidcRules) },
);

/** The provider kinds with a record shape; `oauth` appears on links and sessions only. */
export const SSO_PROVIDER_SPECS = { oidc: oidcProviderSpec, saml: samlProviderSpec } as const;

/**
 * Fields that are secrets at rest: stored encrypted, never in the provider's JSON config.
 * Certificates are public and stay readable.
 */
export const SSO_PROVIDER_SECRET_FIELDS = {
  oidc: ['client_secret'],
  saml: ['signing_key'],
} as const satisfies {
  oidc: readonly (keyof OIDCProviderInput)[];
  saml: readonly (keyof SAMLProviderInput)[];
};

/** Fields kept in their own columns rather than the JSON config. */
export const SSO_PROVIDER_COLUMN_FIELDS = ['name', 'orgId', 'metadata'] as const;

/** The fields of a provider record that are the store's, not the provider's own nor extra. */
const PROVIDER_STORE_FIELDS: readonly string[] = ['id', 'type', 'createdAt', 'updatedAt'];

/** A provider record's extra fields: those neither its kind's own fields nor the store's. */
export function ssoProviderExtraFields(record: { type: keyof typeof SSO_PROVIDER_SPECS }): ExtraFields {
  const rules = SSO_PROVIDER_SPECS[record.type].rules;
  const extra: ExtraFields = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined || Object.hasOwn(rules, key) || PROVIDER_STORE_FIELDS.includes(key)) continue;
    setOwn(extra, key, value);
  }
  return extra;
}

/**
 * `createSSOLink` input: the caller's id is kept when given (SSOService passes `sso_link_…`);
 * `lastAuthAt` defaults to the link time when omitted. Other fields are extra fields.
 */
export type SSOLinkInput = Omit<SSOLink, 'id' | 'linkedAt' | 'lastAuthAt'> & {
  id?: string;
  lastAuthAt?: Date;
};
export const ssoLinkSpec = defineRecord<SSOLinkInput>(
  'ssoLink',
  {
    id: id(),
    userId: id(),
    providerId: id(),
    providerType: oneOf(SSO_PROVIDER_TYPES),
    providerSubject: short(),
    providerEmail: string({ max: LIMITS.email, allowEmpty: true }),
    autoProvisioned: boolean(),
    metadata: jsonObject(),
    lastAuthAt: date(),
  },
  ['id', 'providerEmail', 'autoProvisioned', 'metadata', 'lastAuthAt'],
  { extras: true },
);

/** `createSSOSession` input: as for links, the caller's id is kept and other fields are extra fields. */
export type SSOSessionInput = Omit<SSOSession, 'id' | 'linkedAt' | 'lastAuthAt'> & {
  id?: string;
  lastAuthAt?: Date;
};
export const ssoSessionSpec = defineRecord<SSOSessionInput>(
  'ssoSession',
  {
    id: id(),
    userId: id(),
    providerId: id(),
    providerType: oneOf(SSO_PROVIDER_TYPES),
    providerSubject: short(),
    sessionToken: string({ max: LIMITS.secret }),
    expiresAt: date(),
    lastAuthAt: date(),
  },
  ['id', 'sessionToken', 'lastAuthAt'],
  { extras: true },
);

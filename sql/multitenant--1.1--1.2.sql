/* multitenant 1.1 -> 1.2: auth methods, personal access tokens, lockout, encryption keys, tenant-scoped lookups */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.2'" to load this file. \quit

------------------------------------------------------------------------------
-- Projections of Phase 3 (reference/zitadel.md B.21, B.29, B.30) and the
-- failed-check counters behind the lockout flow.
------------------------------------------------------------------------------

------------------------------------------------------------------------------
-- Encryption keys: key material encrypted at rest under the server's master
-- key (AES-256-GCM through OpenSSL).
------------------------------------------------------------------------------

------------------------------------------------------------------------------
-- Tenant-scoped lookups (C): normalised lookup columns, their indexes, the
-- functions, personal access tokens and the lockout flow.
------------------------------------------------------------------------------

/* multitenant 1.2 -> 1.3: isolation hardening */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.3'" to load this file. \quit

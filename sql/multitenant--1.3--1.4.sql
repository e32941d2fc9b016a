/* multitenant 1.3 -> 1.4: realms and sessions */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.4'" to load this file. \quit

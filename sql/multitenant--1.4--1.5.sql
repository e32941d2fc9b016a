/* multitenant 1.4 -> 1.5: performance and scale-out */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.5'" to load this file. \quit

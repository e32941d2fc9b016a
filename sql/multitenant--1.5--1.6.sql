/* multitenant 1.5 -> 1.6 */

\echo Use "ALTER EXTENSION multitenant UPDATE TO '1.6'" to load this file. \quit

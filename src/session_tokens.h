/*-------------------------------------------------------------------------
 *
 * session_tokens.h
 *	  Signed (JWS) and encrypted (JWE) session tokens and the per-tenant
 *	  keys they are made with.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_SESSION_TOKENS_H
#define MT_SESSION_TOKENS_H

/* A kid is 32 hex characters. */
#define MT_SESSION_KID_LEN 32

typedef enum SessionTokenFormat
{
	SESSION_TOKEN_MALFORMED,
	SESSION_TOKEN_OPAQUE,
	SESSION_TOKEN_JWS,
	SESSION_TOKEN_JWE
} SessionTokenFormat;

extern SessionTokenFormat mt_session_token_format(const char *token);
extern bool mt_session_token_verify(const char *token, SessionTokenFormat format,
									char *kid);

#endif							/* MT_SESSION_TOKENS_H */

/*-------------------------------------------------------------------------
 *
 * tokens.h
 *	  The hash that tokens are kept as.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MT_TOKENS_H
#define MT_TOKENS_H

extern void mt_sha256(const char *data, size_t len, unsigned char *digest);
extern bytea *mt_token_hash(const char *token);

#endif							/* MT_TOKENS_H */

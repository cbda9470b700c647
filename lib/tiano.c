/* SPDX-License-Identifier: MIT */
/* tiano: the EFI 1.1 / Tiano decompressor (UEFI spec, "Compression Algorithm Specification").
 * Blocks of Huffman-coded symbols: a literal (0-255) or a match length (256-509) followed by a
 * position code; three code tables per block (extra set T, char&length set C, position set P). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tiano.h"

#define TI_NC 510 /* 256 literals + lengths 3..256 */
#define TI_CBIT 9
#define TI_NT 19 /* code lengths 0..16 plus three run-of-zero codes */
#define TI_TBIT 5
#define TI_NP 32 /* position set: at most 2^5 - 1 symbols */
#define TI_CTAB 12 /* bits of the direct C lookup table */
#define TI_PTAB 8
#define TI_MAXLEN 16
#define TI_OVERREAD 64 /* zero bytes past the end we tolerate before calling it truncated */

struct ti_tree {
	uint16_t left[2 * TI_NC], right[2 * TI_NC];
};

struct tiano {
	const uint8_t *src;
	size_t nsrc, pos, over;
	uint64_t acc; /* next bits of the stream, most significant first */
	unsigned nbits;
	int pbit;
	uint8_t clen[TI_NC], ptlen[TI_NP];
	uint16_t ctable[1 << TI_CTAB], pttable[1 << TI_PTAB];
	struct ti_tree ct, pt;
	uint32_t block; /* symbols left in this block */
};

static void ti_refill(struct tiano *t)
{
	while (t->nbits <= 56) {
		uint64_t b = 0;

		if (t->pos < t->nsrc)
			b = t->src[t->pos++];
		else
			t->over++;
		t->acc |= b << (56 - t->nbits);
		t->nbits += 8;
	}
}

/* The next n (0..32) bits without consuming them. */
static uint32_t ti_peek(struct tiano *t, unsigned n)
{
	return n ? (uint32_t)(t->acc >> (64 - n)) : 0;
}

static void ti_skip(struct tiano *t, unsigned n)
{
	t->acc <<= n;
	t->nbits -= n;
	ti_refill(t);
}

static uint32_t ti_bits(struct tiano *t, unsigned n)
{
	uint32_t v = ti_peek(t, n);

	ti_skip(t, n);
	return v;
}

/* Canonical Huffman table: codes up to tbits long index table directly, longer ones continue
 * in a binary tree whose nodes are numbered from nchar up. Only complete codes (or none) are
 * accepted, which bounds every index. */
static int ti_table(unsigned nchar, const uint8_t *len, unsigned tbits, uint16_t *table,
		    struct ti_tree *tr)
{
	uint32_t count[TI_MAXLEN + 1] = {0}, start[TI_MAXLEN + 2], weight[TI_MAXLEN + 1];
	unsigned i, c, avail = nchar, size = 1u << tbits;

	for (c = 0; c < nchar; c++) {
		if (len[c] > TI_MAXLEN)
			return -1;
		count[len[c]]++;
	}
	start[1] = 0;
	for (i = 1; i <= TI_MAXLEN; i++)
		start[i + 1] = start[i] + (count[i] << (TI_MAXLEN - i));
	if (start[TI_MAXLEN + 1] != (1u << 16) && start[TI_MAXLEN + 1] != 0)
		return -1;
	for (i = 1; i <= tbits; i++) {
		start[i] >>= TI_MAXLEN - tbits;
		weight[i] = 1u << (tbits - i);
	}
	for (; i <= TI_MAXLEN; i++)
		weight[i] = 1u << (TI_MAXLEN - i);
	i = start[tbits + 1] >> (TI_MAXLEN - tbits);
	for (; i < size; i++)
		table[i] = 0;
	if (start[TI_MAXLEN + 1] == 0) /* no codes: every lookup yields symbol 0 of length 0 */
		return 0;
	for (c = 0; c < nchar; c++) {
		unsigned l = len[c], next;

		if (l == 0)
			continue;
		next = start[l] + weight[l];
		if (l <= tbits) {
			if (next > size)
				return -1;
			for (i = start[l]; i < next; i++)
				table[i] = (uint16_t)c;
		} else {
			uint32_t code = start[l];
			uint16_t *p;
			unsigned k;

			if ((code >> (TI_MAXLEN - tbits)) >= size)
				return -1;
			p = &table[code >> (TI_MAXLEN - tbits)];
			for (k = l - tbits; k; k--) {
				if (*p < nchar) { /* empty slot (0 before the first use): new node */
					if (avail >= 2 * nchar)
						return -1;
					tr->left[avail] = tr->right[avail] = 0;
					*p = (uint16_t)avail++;
				}
				p = (code & (1u << (15 - tbits))) ? &tr->right[*p] : &tr->left[*p];
				code <<= 1;
			}
			*p = (uint16_t)c;
		}
		start[l] = next;
	}
	return 0;
}

/* One symbol: direct lookup on tbits bits, then down the tree one bit at a time. */
static int ti_symbol(struct tiano *t, const uint16_t *table, const uint8_t *len,
		     const struct ti_tree *tr, unsigned nchar, unsigned tbits)
{
	uint32_t bits = ti_peek(t, 32);
	unsigned v = table[bits >> (32 - tbits)], depth = 0;
	uint32_t mask = 1u << (31 - tbits);

	while (v >= nchar) {
		if (++depth > TI_MAXLEN || v >= 2 * nchar)
			return -1;
		v = (bits & mask) ? tr->right[v] : tr->left[v];
		mask >>= 1;
	}
	ti_skip(t, len[v]);
	return (int)v;
}

/* Code lengths of the T or P set; special: after that many lengths a 2-bit zero run. */
static int ti_read_ptlen(struct tiano *t, unsigned nn, unsigned nbit, unsigned special)
{
	unsigned n = ti_bits(t, nbit), i = 0;

	if (n == 0) {
		unsigned c = ti_bits(t, nbit);

		if (c >= nn)
			return -1;
		memset(t->ptlen, 0, sizeof(t->ptlen));
		for (i = 0; i < (1u << TI_PTAB); i++)
			t->pttable[i] = (uint16_t)c;
		return 0;
	}
	if (n > nn)
		return -1;
	while (i < n) {
		unsigned c = ti_peek(t, 3);

		if (c == 7) { /* 7 is followed by a unary extension: 1110 = 8, ... */
			uint32_t bits = ti_peek(t, 32), mask = 1u << 28;

			while ((bits & mask) && c < TI_MAXLEN) {
				mask >>= 1;
				c++;
			}
			if (c >= TI_MAXLEN && (bits & mask))
				return -1;
			ti_skip(t, c - 3);
		} else {
			ti_skip(t, 3);
		}
		t->ptlen[i++] = (uint8_t)c;
		if (i == special) {
			unsigned z = ti_bits(t, 2);

			while (z-- && i < nn)
				t->ptlen[i++] = 0;
		}
	}
	while (i < nn)
		t->ptlen[i++] = 0;
	return ti_table(nn, t->ptlen, TI_PTAB, t->pttable, &t->pt);
}

static int ti_read_clen(struct tiano *t)
{
	unsigned n = ti_bits(t, TI_CBIT), i = 0;

	if (n == 0) {
		unsigned c = ti_bits(t, TI_CBIT);

		if (c >= TI_NC)
			return -1;
		memset(t->clen, 0, sizeof(t->clen));
		for (i = 0; i < (1u << TI_CTAB); i++)
			t->ctable[i] = (uint16_t)c;
		return 0;
	}
	if (n > TI_NC)
		return -1;
	while (i < n) {
		int c = ti_symbol(t, t->pttable, t->ptlen, &t->pt, TI_NT, TI_PTAB);
		unsigned z;

		if (c < 0)
			return -1;
		if (c > 2) {
			t->clen[i++] = (uint8_t)(c - 2);
			continue;
		}
		z = c == 0 ? 1 : c == 1 ? ti_bits(t, 4) + 3 : ti_bits(t, TI_CBIT) + 20;
		while (z-- && i < TI_NC)
			t->clen[i++] = 0;
	}
	while (i < TI_NC)
		t->clen[i++] = 0;
	return ti_table(TI_NC, t->clen, TI_CTAB, t->ctable, &t->ct);
}

static int ti_block(struct tiano *t)
{
	t->block = ti_bits(t, 16);
	if (t->block == 0) /* the reference decoder's 16-bit counter wraps: 0 means 65536 */
		t->block = 65536;
	if (ti_read_ptlen(t, TI_NT, TI_TBIT, 3) < 0 || ti_read_clen(t) < 0 ||
	    ti_read_ptlen(t, (1u << t->pbit) - 1, (unsigned)t->pbit, 0xffff) < 0)
		return -1;
	return 0;
}

static int ti_run(struct tiano *t, uint8_t *dst, size_t orig)
{
	size_t o = 0;

	while (o < orig) {
		int c, p;
		size_t dist, n;

		if (t->over > TI_OVERREAD)
			return -1;
		if (t->block == 0 && ti_block(t) < 0)
			return -1;
		t->block--;
		c = ti_symbol(t, t->ctable, t->clen, &t->ct, TI_NC, TI_CTAB);
		if (c < 0)
			return -1;
		if (c < 256) {
			dst[o++] = (uint8_t)c;
			continue;
		}
		n = (size_t)c - 253; /* 256 -> a match of 3 bytes */
		p = ti_symbol(t, t->pttable, t->ptlen, &t->pt, (1u << t->pbit) - 1, TI_PTAB);
		if (p < 0)
			return -1;
		dist = (size_t)p;
		if (p > 1)
			dist = ((size_t)1 << (p - 1)) + ti_bits(t, (unsigned)p - 1);
		if (dist + 1 > o)
			return -1;
		if (n > orig - o)
			n = orig - o;
		for (; n; n--, o++)
			dst[o] = dst[o - dist - 1];
	}
	return 0;
}

int x4_tiano_size(const uint8_t *in, size_t n, uint32_t *size, struct x4_err *e)
{
	if (n < 8)
		return x4_fail(e, EINVAL, "compressed data of %zu bytes is shorter than its header",
			       n);
	*size = (uint32_t)in[4] | (uint32_t)in[5] << 8 | (uint32_t)in[6] << 16 |
		(uint32_t)in[7] << 24;
	return 0;
}

int x4_tiano_decode(const uint8_t *in, size_t n, int version, size_t cap, uint8_t **out,
		    size_t *outlen, struct x4_err *e)
{
	struct tiano *t;
	uint32_t comp, orig = 0;
	uint8_t *dst;
	int rc;

	*out = NULL;
	*outlen = 0;
	rc = x4_tiano_size(in, n, &orig, e);
	if (rc < 0)
		return rc;
	comp = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 |
	       (uint32_t)in[3] << 24;
	if (comp > n - 8)
		return x4_fail(e, EINVAL, "compressed data claims %u bytes but holds %zu", comp,
			       n - 8);
	if (orig > cap)
		return x4_fail(e, EFBIG,
			       "compressed data claims %u bytes, more than the %zu MiB limit for "
			       "one section",
			       orig, cap >> 20);
	t = calloc(1, sizeof(*t));
	/* Zeroed: the analyser cannot see that matches only copy bytes already written. */
	dst = calloc(1, orig ? orig : 1);
	if (!t || !dst) {
		free(t);
		free(dst);
		return x4_fail(e, ENOMEM, "out of memory for %u bytes of decompressed data", orig);
	}
	t->src = in + 8;
	t->nsrc = comp;
	t->pbit = version == X4_TIANO_EFI11 ? 4 : 5;
	ti_refill(t);
	rc = ti_run(t, dst, orig);
	free(t);
	if (rc < 0) {
		free(dst);
		return x4_fail(e, EINVAL, "%s-compressed data is corrupt",
			       version == X4_TIANO_EFI11 ? "EFI" : "Tiano");
	}
	*out = dst;
	*outlen = orig;
	return 0;
}

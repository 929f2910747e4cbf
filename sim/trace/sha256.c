/*
 * sha256.c - the SHA-256 of a trace file as stored (compressed or not),
 * so a run names exactly which recording it replayed (run.trace_sha256).
 *
 * ALGORITHM: FIPS 180-4, one 64-byte block at a time from a 16 KiB read
 * buffer; the file is read once, memory is constant.  On an x86-64 CPU
 * with the SHA extensions (CPUID 7: EBX bit 29) whole blocks go through
 * sha256rnds2/msg1/msg2 instead, several times as fast: a replay with
 * --db hashes a plain trace of 45 MB before its first event.
 * INVARIANTS: the digest of the empty file is e3b0c442...b855 (the unit
 * test checks it and the "abc" vector of the standard).
 */
#include "rmsim/trace.h"

#include "sha256.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define SHA_NI 1
#endif

static const uint32_t k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] +
		       (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
			(w[i - 15] >> 3)) +
		       w[i - 7] +
		       (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = h[0], b = h[1], c = h[2], d = h[3];
	e = h[4], f = h[5], g = h[6], hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		     ((e & f) ^ (~e & g)) + k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		hh = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d;
	h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

#ifdef SHA_NI
/*
 * Blocks [p, p + 64 * n) with the SHA extensions: the state as ABEF and
 * CDGH halves, four rounds per message vector; from round 12 on each
 * vector also computes the schedule's next one (msg1, alignr, msg2).
 */
__attribute__((target("sha,sse4.1,ssse3"))) static void
blocks_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
	const __m128i mask =
		_mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i s0, s1, t, msg, abef, cdgh, m[4];
	int g;

	t = _mm_loadu_si128((const __m128i *)&h[0]);
	s1 = _mm_loadu_si128((const __m128i *)&h[4]);
	t = _mm_shuffle_epi32(t, 0xB1);	   /* CDAB */
	s1 = _mm_shuffle_epi32(s1, 0x1B);  /* EFGH */
	s0 = _mm_alignr_epi8(t, s1, 8);	   /* ABEF */
	s1 = _mm_blend_epi16(s1, t, 0xF0); /* CDGH */
	for (; n; n--, p += 64) {
		abef = s0;
		cdgh = s1;
#pragma GCC unroll 16
		for (g = 0; g < 16; g++) {
			if (g < 4)
				m[g] = _mm_shuffle_epi8(
					_mm_loadu_si128(
						(const __m128i *)(p + 16 * g)),
					mask);
			msg = _mm_add_epi32(
				m[g % 4],
				_mm_loadu_si128((const __m128i *)&k[4 * g]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
			if (g >= 3 && g <= 14) {
				t = _mm_alignr_epi8(m[g % 4], m[(g + 3) % 4],
						    4);
				m[(g + 1) % 4] =
					_mm_add_epi32(m[(g + 1) % 4], t);
				m[(g + 1) % 4] = _mm_sha256msg2_epu32(
					m[(g + 1) % 4], m[g % 4]);
			}
			msg = _mm_shuffle_epi32(msg, 0x0E);
			s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
			if (g >= 1 && g <= 12)
				m[(g + 3) % 4] = _mm_sha256msg1_epu32(
					m[(g + 3) % 4], m[g % 4]);
		}
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
	}
	t = _mm_shuffle_epi32(s0, 0x1B);   /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);  /* DCHG */
	s0 = _mm_blend_epi16(t, s1, 0xF0); /* DCBA */
	s1 = _mm_alignr_epi8(s1, t, 8);	   /* HGFE */
	_mm_storeu_si128((__m128i *)&h[0], s0);
	_mm_storeu_si128((__m128i *)&h[4], s1);
}

/* SHA extensions, SSSE3 and SSE4.1 (asked once). */
static bool have_ni(void)
{
	static int known = -1;
	unsigned a, b, c, d;

	if (known < 0) {
		known = __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
			(b & (1u << 29)) && __get_cpuid(1, &a, &b, &c, &d) &&
			(c & (1u << 9)) && (c & (1u << 19));
	}
	return known;
}
#endif

static bool portable_only;

void tr_sha256_portable(bool on)
{
	portable_only = on;
}

/* Blocks [p, p + 64 * n). */
static void blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
#ifdef SHA_NI
	if (!portable_only && have_ni()) {
		blocks_ni(h, p, n);
		return;
	}
#endif
	for (; n; n--, p += 64)
		block(h, p);
}

void tr_sha256(const void *data, size_t len, char hex[65])
{
	struct tr_sha256 s;

	tr_sha256_init(&s);
	tr_sha256_add(&s, data, len);
	tr_sha256_end(&s, hex);
}

void tr_sha256_init(struct tr_sha256 *s)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->n = 0;
}

void tr_sha256_add(struct tr_sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->len += len;
	while (len) {
		size_t take;

		if (s->n == 0 && len >= 64) {
			/* whole blocks straight from the caller's bytes */
			blocks(s->h, p, len / 64);
			p += len & ~(size_t)63;
			len &= 63;
			continue;
		}
		take = 64 - s->n < len ? 64 - s->n : len;
		memcpy(s->buf + s->n, p, take);
		s->n += take;
		p += take;
		len -= take;
		if (s->n == 64) {
			blocks(s->h, s->buf, 1);
			s->n = 0;
		}
	}
}

void tr_sha256_end(struct tr_sha256 *s, char hex[65])
{
	uint64_t bits = s->len * 8;
	unsigned char pad[72] = {0x80};
	size_t npad = (s->n < 56 ? 56 : 120) - s->n;
	int i;

	for (i = 0; i < 8; i++)
		pad[npad + i] = (unsigned char)(bits >> (56 - 8 * i));
	tr_sha256_add(s, pad, npad + 8);
	for (i = 0; i < 8; i++)
		snprintf(hex + 8 * i, 9, "%08x", s->h[i]);
}

/* Add the bytes of @path as stored: 0 or -errno. */
static int add_file(struct tr_sha256 *s, const char *path)
{
	unsigned char buf[1 << 14];
	FILE *f = fopen(path, "rb");
	size_t n;
	int err;

	if (!f)
		return -errno;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		tr_sha256_add(s, buf, n);
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	return err;
}

int tr_sha256_file(const char *path, char hex[65])
{
	struct tr_sha256 s;
	int err;

	tr_sha256_init(&s);
	err = add_file(&s, path);
	if (!err)
		tr_sha256_end(&s, hex);
	return err;
}

int tr_sha256_read(const struct tr_reader *r, char hex[65])
{
	struct tr_sha256 s;
	size_t i;
	int err = 0;

	tr_sha256_init(&s);
	for (i = 0; !err && i < tr_reader_files(r); i++)
		err = add_file(&s, tr_reader_path(r, i));
	if (!err)
		tr_sha256_end(&s, hex);
	return err;
}

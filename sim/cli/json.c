/*
 * json.c - JSON strings for the command line's --json output: any file
 * name or policy spec (quotes, backslashes, newlines, control characters,
 * bytes that are not UTF-8) comes out as a valid JSON string.
 */
#include "cli.h"

/* The length of the well-formed UTF-8 sequence at @p, or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n, i;
	uint32_t c;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* no overlong forms, surrogates or code points past U+10FFFF */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return n;
}

void cli_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n;

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			n = *p >= 0x80 ? utf8_len(p) : 0;
			if (n) {
				fwrite(p, 1, n, f);
				p += n - 1;
			} else if (*p < 0x20 || *p >= 0x7f) {
				/* control characters; a byte that is not
				 * UTF-8 (a name need not be, JSON must be) as
				 * the code point of its number */
				fprintf(f, "\\u%04x", *p);
			} else {
				fputc(*p, f);
			}
		}
	}
	fputc('"', f);
}

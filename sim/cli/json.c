/*
 * json.c - JSON strings for the command line's --json output: any file
 * name or policy spec (quotes, backslashes, newlines, control characters,
 * bytes that are not UTF-8) comes out as a valid JSON string.
 */
#include "cli.h"

void cli_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

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
			/* control characters, and bytes above ASCII as the
			 * code points of the same number (a name need not be
			 * UTF-8; JSON must be) */
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

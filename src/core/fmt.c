/* SPDX-License-Identifier: MIT */
/*
 * A small vsnprintf for log lines and event text: the core has no libc
 * I/O, and a hypervisor linking it may have no printf at all.
 */
#include "core/core.h"

struct out {
	char *buf;
	size_t len; /* bytes available, NUL included */
	size_t pos; /* bytes the full output has so far */
};

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->len)
		o->buf[o->pos] = c;
	o->pos++;
}

static void put_padded(struct out *o, const char *s, size_t n, unsigned width,
                       char pad, bool left)
{
	size_t fill = width > n ? width - n : 0;

	if (!left)
		while (fill--)
			put(o, pad);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (left)
		while (fill--)
			put(o, ' ');
}

/* Digits of v in base, most significant first, into tmp; returns count. */
static size_t digits(char tmp[24], uint64_t v, unsigned base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char rev[24];
	size_t n = 0;

	do {
		rev[n++] = set[v % base];
		v /= base;
	} while (v);
	for (size_t i = 0; i < n; i++)
		tmp[i] = rev[n - 1 - i];
	return n;
}

/* strlen without libc. */
static size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

struct spec {
	bool zero, left;
	unsigned width;
	unsigned lng; /* 0: int, 1: long, 2: long long, 3: size_t */
};

static const char *parse_spec(const char *f, struct spec *s)
{
	memset(s, 0, sizeof(*s));
	for (;; f++) {
		if (*f == '0')
			s->zero = true;
		else if (*f == '-')
			s->left = true;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		s->width = s->width * 10 + (unsigned)(*f++ - '0');
	if (*f == 'z') {
		s->lng = 3;
		f++;
	}
	while (*f == 'l' && s->lng < 2) {
		s->lng++;
		f++;
	}
	return f;
}

static uint64_t arg_unsigned(va_list *ap, unsigned lng)
{
	switch (lng) {
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(va_list *ap, unsigned lng)
{
	switch (lng) {
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	case 3: return (int64_t)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

static void conv_number(struct out *o, const struct spec *s, char c, va_list *ap)
{
	char tmp[25];
	size_t n;
	bool neg = false;

	if (c == 'd' || c == 'i') {
		int64_t v = arg_signed(ap, s->lng);
		neg = v < 0;
		n = digits(tmp + 1, neg ? 0 - (uint64_t)v : (uint64_t)v, 10, false);
	} else {
		uint64_t v = arg_unsigned(ap, s->lng);
		n = digits(tmp + 1, v, c == 'u' ? 10 : 16, c == 'X');
	}
	if (!neg) {
		put_padded(o, tmp + 1, n, s->width, s->zero ? '0' : ' ', s->left);
		return;
	}
	if (s->zero) {
		put(o, '-');
		put_padded(o, tmp + 1, n, s->width ? s->width - 1 : 0, '0', s->left);
		return;
	}
	tmp[0] = '-';
	put_padded(o, tmp, n + 1, s->width, ' ', s->left);
}

int pvhdev__vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .len = len, .pos = 0 };
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		struct spec s;
		fmt = parse_spec(fmt + 1, &s);
		char c = *fmt ? *fmt++ : '\0';
		if (c == 's') {
			const char *str = va_arg(aq, const char *);
			if (!str)
				str = "(null)";
			put_padded(&o, str, str_len(str), s.width, ' ', s.left);
		} else if (c == 'c') {
			char ch = (char)va_arg(aq, int);
			put_padded(&o, &ch, 1, s.width, ' ', s.left);
		} else if (c == 'p') {
			char tmp[24];
			size_t n = digits(tmp, (uintptr_t)va_arg(aq, void *), 16, false);
			put(&o, '0');
			put(&o, 'x');
			put_padded(&o, tmp, n, 0, ' ', false);
		} else if (c == 'd' || c == 'i' || c == 'u' || c == 'x' || c == 'X') {
			conv_number(&o, &s, c, &aq);
		} else if (c == '%') {
			put(&o, '%');
		} else if (c) {
			put(&o, '%');
			put(&o, c);
		}
	}
	va_end(aq);
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = '\0';
	return (int)o.pos;
}

int pvhdev__snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = pvhdev__vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

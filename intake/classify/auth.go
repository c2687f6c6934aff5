package classify

import (
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Verified reports whether an Authentication-Results header (RFC 8601)
// added by the server named authservID vouches for addr's domain: DKIM
// passed with header.d that domain (or a parent of it), SPF passed for a
// smtp.mailfrom in it, or DMARC passed for header.from that domain. The
// inbound server must remove headers that claim its name (RFC 8601,
// section 5); headers of any other server are ignored. why says what was
// found, for the reason a person reads. Only the first (topmost) header
// of that server counts: the one it added on receipt.
func Verified(values []string, authservID, addr string) (ok bool, why string) {
	_, domain, _ := strings.Cut(strings.ToLower(addr), "@")
	if domain == "" {
		return false, "no sender domain"
	}
	for _, v := range values {
		parts := split(v, ';')
		if len(parts) == 0 {
			continue // "Authentication-Results: ;" names no server
		}
		id := split(parts[0], ' ')
		if len(id) == 0 || !strings.EqualFold(id[0], authservID) {
			continue
		}
		for _, res := range parts[1:] {
			f := split(strings.ToLower(res), ' ')
			if len(f) == 0 {
				continue
			}
			method, result, _ := strings.Cut(f[0], "=")
			if result != "pass" {
				continue
			}
			props := map[string]string{}
			for _, kv := range f[1:] {
				// A quoted value is text someone else chose (a local
				// part); it vouches for nothing.
				if k, v, ok := strings.Cut(kv, "="); ok && !strings.HasPrefix(v, `"`) {
					props[k] = v
				}
			}
			switch method {
			case "dkim":
				if d := props["header.d"]; within(domain, d) {
					return true, "dkim=pass for " + d
				}
			case "spf":
				mf := props["smtp.mailfrom"]
				if i := strings.LastIndexByte(mf, '@'); i >= 0 {
					mf = mf[i+1:]
				}
				if within(domain, mf) {
					return true, "spf=pass for " + mf
				}
			case "dmarc":
				if d := props["header.from"]; d == domain {
					return true, "dmarc=pass for " + d
				}
			}
		}
		return false, "Authentication-Results from " + authservID + " shows no pass for " + domain
	}
	return false, "no Authentication-Results header from " + authservID
}

// split cuts s at sep (a space splits at any white space) outside quoted
// strings and comments, and drops the comments (which may nest): the
// tokens of RFC 8601. Quotes stay on the tokens they belong to.
func split(s string, sep byte) []string {
	var out []string
	var cur strings.Builder
	depth, quoted, escaped := 0, false, false
	flush := func() {
		if t := strings.TrimSpace(cur.String()); t != "" {
			out = append(out, t)
		}
		cur.Reset()
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escaped:
			escaped = false
			if depth == 0 {
				cur.WriteByte(c)
			}
		case c == '\\' && (quoted || depth > 0):
			escaped = true
			if depth == 0 {
				cur.WriteByte(c)
			}
		case quoted:
			cur.WriteByte(c)
			if c == '"' {
				quoted = false
			}
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth > 0:
		case c == '"':
			quoted = true
			cur.WriteByte(c)
		case c == sep || sep == ' ' && (c == '\t' || c == '\r' || c == '\n'):
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}

// within reports whether domain is d or a subdomain of it, where d is the
// organisational domain (a registrable domain, publicsuffix's eTLD+1) or
// below it: a pass for a public suffix ("se", "co.uk", "example") vouches
// for nobody.
func within(domain, d string) bool {
	d = strings.TrimSuffix(d, ".")
	if d == "" || domain != d && !strings.HasSuffix(domain, "."+d) {
		return false
	}
	org, err := publicsuffix.EffectiveTLDPlusOne(d)
	return err == nil && (d == org || strings.HasSuffix(d, "."+org))
}

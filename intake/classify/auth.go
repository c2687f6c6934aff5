package classify

import (
	"regexp"
	"strings"
)

var commentRe = regexp.MustCompile(`\([^()]*\)`)

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
	seen := false
	for _, v := range values {
		v = commentRe.ReplaceAllString(strings.ReplaceAll(v, "\n", " "), " ")
		parts := strings.Split(v, ";")
		id := strings.Fields(parts[0])
		if len(id) == 0 || !strings.EqualFold(id[0], authservID) {
			continue
		}
		if seen {
			break
		}
		seen = true
		for _, res := range parts[1:] {
			f := strings.Fields(strings.ToLower(res))
			if len(f) == 0 {
				continue
			}
			method, result, _ := strings.Cut(f[0], "=")
			if result != "pass" {
				continue
			}
			props := map[string]string{}
			for _, kv := range f[1:] {
				if k, v, ok := strings.Cut(kv, "="); ok {
					props[k] = strings.Trim(v, `"`)
				}
			}
			switch method {
			case "dkim":
				if d := props["header.d"]; within(domain, d) {
					return true, "dkim=pass for " + d
				}
			case "spf":
				mf := props["smtp.mailfrom"]
				if _, d, ok := strings.Cut(mf, "@"); ok {
					mf = d
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
	}
	if !seen {
		return false, "no Authentication-Results header from " + authservID
	}
	return false, "Authentication-Results from " + authservID + " shows no pass for " + domain
}

// within reports whether domain is d or a subdomain of it.
func within(domain, d string) bool {
	return d != "" && (domain == d || strings.HasSuffix(domain, "."+d))
}

package classify

import "testing"

func TestVerified(t *testing.T) {
	const id = "mx.goteborg.example"
	tests := []struct {
		name   string
		values []string
		addr   string
		want   bool
	}{
		{"dkim pass", []string{id + "; dkim=pass header.d=goteborg.example header.s=s1"}, "pl@goteborg.example", true},
		{"dkim pass, parent domain", []string{id + "; dkim=pass (2048-bit key) header.d=goteborg.example"}, "pl@mail.goteborg.example", true},
		{"spf pass", []string{id + ";\n spf=pass (sender SPF authorized) smtp.mailfrom=pl@goteborg.example"}, "pl@goteborg.example", true},
		{"dmarc pass", []string{id + "; dmarc=pass header.from=goteborg.example"}, "pl@goteborg.example", true},
		{"authserv-id case-insensitive, version", []string{"MX.Goteborg.Example 1; dkim=pass header.d=goteborg.example"}, "pl@goteborg.example", true},
		{"dkim for another domain", []string{id + "; dkim=pass header.d=evil.example"}, "pl@goteborg.example", false},
		{"a domain that only ends the same", []string{id + "; dkim=pass header.d=borg.example"}, "pl@goteborg.example", false},
		{"fail", []string{id + "; dkim=fail header.d=goteborg.example; spf=softfail smtp.mailfrom=goteborg.example"}, "pl@goteborg.example", false},
		{"another server's header", []string{"mx.evil.example; dkim=pass header.d=goteborg.example"}, "pl@goteborg.example", false},
		{"none", nil, "pl@goteborg.example", false},
		{"none result", []string{id + "; none"}, "pl@goteborg.example", false},
		{"dkim for a public suffix", []string{id + "; dkim=pass header.d=example"}, "pl@goteborg.example", false},
		{"dkim for a TLD", []string{id + "; dkim=pass header.d=se"}, "pl@goteborg.se", false},
		{"dkim for a multi-label public suffix", []string{id + "; dkim=pass header.d=co.uk"}, "pl@goteborg.co.uk", false},
		{"spf for a public suffix", []string{id + "; spf=pass smtp.mailfrom=x@se"}, "pl@goteborg.se", false},
		{"dkim for the organisational domain", []string{id + "; dkim=pass header.d=goteborg.se"}, "pl@mail.goteborg.se", true},
		{"empty header", []string{";"}, "pl@goteborg.example", false},
		{"only separators", []string{" ; ;; ;"}, "pl@goteborg.example", false},
		{"only a comment", []string{"(x); (y)"}, "pl@goteborg.example", false},
		{"unbalanced parenthesis", []string{"(" + id + "; dkim=pass header.d=goteborg.example"}, "pl@goteborg.example", false},
		{"unbalanced quote", []string{`"` + id + "; dkim=pass header.d=goteborg.example"}, "pl@goteborg.example", false},
		{"pass in a comment only", []string{id + "; dkim=fail (dkim=pass header.d=goteborg.example) header.d=goteborg.example"}, "pl@goteborg.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := Verified(tt.values, id, tt.addr)
			if got != tt.want || why == "" {
				t.Errorf("Verified = %v (%s), want %v", got, why, tt.want)
			}
		})
	}
}

func FuzzVerified(f *testing.F) {
	f.Add("mx; dkim=pass header.d=a.example", "x@a.example")
	f.Add("mx (c(d)); spf=pass smtp.mailfrom=", "@")
	f.Add(";", "pl@a.example")
	f.Add(" ; (x", "pl@a.example")
	f.Fuzz(func(t *testing.T, v, addr string) {
		ok, why := Verified([]string{v}, "mx", addr)
		if why == "" {
			t.Errorf("no reason given (ok=%v)", ok)
		}
	})
}

// A forger's header below the server's own does not count.
func TestVerifiedTopmostOnly(t *testing.T) {
	values := []string{"mx.goteborg.example; dkim=none; spf=fail smtp.mailfrom=goteborg.example",
		"mx.goteborg.example; dkim=pass header.d=goteborg.example"}
	if ok, why := Verified(values, "mx.goteborg.example", "pl@goteborg.example"); ok {
		t.Errorf("accepted a lower header: %s", why)
	}
}

// A local part the sender chose cannot carry a pass.
func TestVerifiedQuotedLocalPart(t *testing.T) {
	for _, v := range []string{
		`mx.goteborg.example; spf=pass smtp.mailfrom="x;dkim=pass header.d=goteborg.example x"@evil.example`,
		`mx.goteborg.example; spf=pass smtp.mailfrom="x@goteborg.example"`,
		`mx.goteborg.example; dkim=fail (a (nested) comment; dkim=pass header.d=goteborg.example) header.d=goteborg.example`,
	} {
		if ok, why := Verified([]string{v}, "mx.goteborg.example", "pl@goteborg.example"); ok {
			t.Errorf("%s: accepted (%s)", v, why)
		}
	}
}

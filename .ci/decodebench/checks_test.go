package main

import "testing"

func TestChecks(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) string
		in    string
		pass  bool
	}{
		{"subject plain", checkSubject, "Anmälan av avvikelse", true},
		{"subject CJK", checkSubject, "提示：您的企业成员", true},
		{"subject blank", checkSubject, "  ", false},
		{"subject encoded word", checkSubject, "=?utf-8?B?w6Q=?= x", false},
		{"subject UTF-8 read as Latin-1", checkSubject, "AnmÃ¤lan", false},
		{"subject UTF-8 read as Windows-1252", checkSubject, "It‚Äôs", true},
		{"subject smart quote read as Windows-1252", checkSubject, "Itâ€™s", false},
		{"subject replacement char", checkSubject, "Anm\uFFFDlan", false},
		{"subject C1 control", checkSubject, "Euro \u0080", false},
		{"subject Latin-1 text with symbols", checkSubject, "Café » Prix: 5 £", true},
		{"sender ok", checkSender, "anna@example.com", true},
		{"sender no at", checkSender, "anna", false},
		{"sender empty domain", checkSender, "anna@", false},
		{"body ok", checkBody, "Namn: Anna\nOrganisation: Försäkringskassan\n", true},
		{"body qp left", checkBody, "Hej p=C3=A5 dig\n", false},
		{"body qp soft breaks", checkBody, "A long line of text that was wrapped by quoted-printable encoding =\nand this long line of text was wrapped by the same encoding too =\nhere\n", false},
		{"body URL with equals", checkBody, "see http://x.example/?a=1F&b=20 now", true},
		{"body base64 left", checkBody, "SGVsbG8gV29ybGQhIFRoaXMgaXMgYmFzZTY0IGVuY29kZWQgdGV4dCB0aGF0IGlzIGxvbmc=\nSGVsbG8gV29ybGQhIFRoaXMgaXMgYmFzZTY0IGVuY29kZWQgdGV4dCB0aGF0IGlzIGxvbmc=\nSGVsbG8gV29ybGQhIFRoaXMgaXMgYmFzZTY0IGVuY29kZWQgdGV4dCB0aGF0IGlzIGxvbmc=\n", false},
		{"body PGP armour", checkBody, "Hi\n-----BEGIN PGP SIGNATURE-----\niQEzBAEBCAAdFiEEabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV0123\niQEzBAEBCAAdFiEEabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV0123\niQEzBAEBCAAdFiEEabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV0123\n-----END PGP SIGNATURE-----\n", true},
		{"body MIME left", checkBody, "Hello\n--b1\nContent-Type: text/html\n\n<p>x</p>\n", false},
		{"body signature dashes", checkBody, "Hello\n-- \nAnna\nContent-Type: is a header name\n", true},
		{"body NUL", checkBody, "GIF89a\x00\x01", false},
	}
	for _, tt := range tests {
		if got := tt.check(tt.in); (got == "") != tt.pass {
			t.Errorf("%s: check(%q) = %q, want pass %v", tt.name, tt.in, got, tt.pass)
		}
	}
}

func TestLookRaw(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want rawLook
	}{
		{"plain", "From: a@b.example\nSubject: Hi\n\nText\n", rawLook{subject: true, sender: true, body: true}},
		{"mbox line", "From a@b.example Mon Jan 1 00:00:00 2024\nSubject: Hi\n\nText\n", rawLook{subject: true, body: true}},
		{"empty subject", "Subject: \nFrom: <a@b.example>\n\n\n", rawLook{sender: true}},
		{"html markup only", "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n\n--b\nContent-Type: text/html\n\n<div><br></div>\n--b--\n", rawLook{}},
		{"html text", "Content-Type: text/html\n\n<p>Hej</p>\n", rawLook{body: true}},
		{"image only", "Content-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n", rawLook{}},
	}
	for _, tt := range tests {
		if got := lookRaw([]byte(tt.raw)); got != tt.want {
			t.Errorf("%s: lookRaw = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

package intake

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"

	"lexheller/intake/config"
	"lexheller/intake/devmail"
)

// Advice on the errors a newcomer meets, produced by real connections.
func TestAdvice(t *testing.T) {
	srv, err := devmail.Start(devmail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()

	cases := []struct {
		name string
		o    config.Server
		want string
	}{
		{"TLS to a plain port", config.Server{Address: srv.IMAPAddr, Security: "tls", Username: "x", Password: "y"}, "does not answer TLS on that port"},
		{"nothing listening", config.Server{Address: closedAddr, Security: "none", Username: "x", Password: "y"}, "nothing listens at"},
		{"no such host", config.Server{Address: "no-such-host.invalid:993", Security: "tls", Username: "x", Password: "y"}, "cannot be resolved"},
	}
	if addr := os.Getenv("LEXHELLER_E2E_IMAP"); addr != "" {
		cases = append(cases, struct {
			name string
			o    config.Server
			want string
		}{"wrong password (Dovecot)", config.Server{Address: addr, Security: "none", Username: "anna", Password: "wrong"}, "refused the user name or password"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := &Watcher{Name: "t", IMAP: c.o}
			err := w.session(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			if got := Advice(err, c.o); !strings.Contains(got, c.want) {
				t.Errorf("Advice(%v) = %q, want it to say %q", err, got, c.want)
			}
		})
	}
}

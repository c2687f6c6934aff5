package notify

import (
	"errors"
	"net/textproto"
	"testing"
)

// A login the server refused (535) before any mail was tried is not the
// mail's permanent failure: the mail waits for its retry.
func TestRefusedLoginIsNotPermanent(t *testing.T) {
	refused := &textproto.Error{Code: 535, Msg: "5.7.8 Error: authentication failed"}
	if !Permanent(refused) {
		t.Fatal("a 535 to a mail is permanent")
	}
	if Permanent(&unsentError{refused}) {
		t.Error("a refused login fails the mails waiting for the connection")
	}
	if !loginRefused(errors.Join(errors.New("notify: connect"), refused)) {
		t.Error("a 535 at login is not seen as refused")
	}
}

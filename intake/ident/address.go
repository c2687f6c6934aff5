package ident

import (
	"fmt"
	"strings"

	"github.com/wneessen/go-mail"
)

// Deliverable reports why a mail cannot be addressed to addr, or nil when
// it can: an address that parses in a From header ("a b"@x, a..b@x) may
// still be no recipient. It asks the same library that sends the mail.
func Deliverable(addr string) error {
	if strings.ContainsAny(addr, "\r\n") {
		return fmt.Errorf("line break in the address %q", addr)
	}
	if err := mail.NewMsg().To(addr); err != nil {
		return fmt.Errorf("%q is no address mail can be sent to", addr)
	}
	return nil
}

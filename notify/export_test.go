package notify

import "lexheller/intake/store"

// SetSendHook sets the hook called before each mail is sent.
func SetSendHook(s *Sender, f func(*store.OutMail)) { s.hook = f }

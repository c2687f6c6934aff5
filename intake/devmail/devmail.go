// Package devmail is a small mail system for development and tests: an
// IMAP server (go-imap's imapserver with imapmemserver) and an SMTP server
// (go-smtp) on loopback, which deliver every address of one domain into a
// mailbox of its own, in memory.
//
// Any address of the domain can log in over IMAP with any password; plus
// addresses (lexheller+tag@…) are delivered to the base address with a
// Delivered-To header naming the full one. It listens on 127.0.0.1 only
// and is not for production.
package devmail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"
)

// Options configure a Server. The zero value is usable.
type Options struct {
	Domain   string // "" means "lexheller.localhost"
	IMAPAddr string // "" means 127.0.0.1:0 (a free port)
	SMTPAddr string
	// NoIdle leaves IDLE out of the IMAP capabilities (to test polling).
	NoIdle bool
	// NoMove leaves MOVE out (to test COPY + EXPUNGE).
	NoMove bool
	// NoUIDPlus leaves UIDPLUS out (with NoMove: a server that can only
	// COPY, flag and EXPUNGE all).
	NoUIDPlus bool
	Logger    *log.Logger // nil discards the servers' own error logs
}

// Server is a running dev mail system.
type Server struct {
	Domain   string
	IMAPAddr string
	SMTPAddr string

	opts  Options
	mem   *imapmemserver.Server
	mu    sync.Mutex
	users map[string]*imapmemserver.User
	imap  *imapserver.Server
	imapL net.Listener
	smtp  *smtp.Server
	// RejectRcpt, when set, is asked for every RCPT TO; an error it
	// returns (e.g. a *smtp.SMTPError) is the server's answer.
	rejectRcpt func(to string) error
	delivered  int
}

// Start starts the servers.
func Start(o Options) (*Server, error) {
	if o.Domain == "" {
		o.Domain = "lexheller.localhost"
	}
	s := &Server{Domain: o.Domain, opts: o, mem: imapmemserver.New(), users: map[string]*imapmemserver.User{}}
	if err := s.startIMAP(o.IMAPAddr); err != nil {
		return nil, err
	}
	if err := s.startSMTP(o.SMTPAddr); err != nil {
		s.imap.Close()
		return nil, err
	}
	return s, nil
}

func listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("devmail: %s is not a loopback address", addr)
	}
	return net.Listen("tcp", addr)
}

func (s *Server) logger() *log.Logger {
	if s.opts.Logger != nil {
		return s.opts.Logger
	}
	return log.New(io.Discard, "", 0)
}

func (s *Server) startIMAP(addr string) error {
	ln, err := listen(addr)
	if err != nil {
		return fmt.Errorf("devmail: imap: %w", err)
	}
	caps := imap.CapSet{imap.CapIMAP4rev1: {}}
	if !s.opts.NoUIDPlus {
		caps[imap.CapUIDPlus] = struct{}{}
	}
	if !s.opts.NoIdle {
		caps[imap.CapIdle] = struct{}{}
	}
	if !s.opts.NoMove {
		caps[imap.CapIMAP4rev2] = struct{}{}
		caps[imap.CapMove] = struct{}{}
		caps[imap.CapNamespace] = struct{}{}
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			base := &session{Session: s.mem.NewSession(), srv: s}
			if s.opts.NoMove {
				return base, nil, nil
			}
			return &rev2Session{base}, nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       s.logger(),
	})
	s.imap, s.imapL, s.IMAPAddr = srv, ln, ln.Addr().String()
	go srv.Serve(ln)
	return nil
}

// RestartIMAP drops every IMAP connection and listens again on the same
// address, as a server restart does; the mailboxes are kept.
func (s *Server) RestartIMAP() error {
	s.imap.Close()
	var err error
	for i := 0; i < 50; i++ { // the port may take a moment to be free
		if err = s.startIMAP(s.IMAPAddr); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

func (s *Server) startSMTP(addr string) error {
	ln, err := listen(addr)
	if err != nil {
		return fmt.Errorf("devmail: smtp: %w", err)
	}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 64 << 20
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = s.logger()
	s.smtp, s.SMTPAddr = srv, ln.Addr().String()
	go srv.Serve(ln)
	return nil
}

// Close stops both servers.
func (s *Server) Close() error {
	return errors.Join(s.imap.Close(), s.smtp.Close())
}

// SetRejectRcpt installs (or with nil removes) a check on RCPT TO, to
// make the SMTP server refuse mail.
func (s *Server) SetRejectRcpt(f func(to string) error) {
	s.mu.Lock()
	s.rejectRcpt = f
	s.mu.Unlock()
}

// Delivered returns how many messages the SMTP server has delivered.
func (s *Server) Delivered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delivered
}

// Mailbox returns the base address of addr: lower-case, plus tag removed,
// the domain added when missing.
func (s *Server) Mailbox(addr string) string {
	addr = strings.ToLower(strings.TrimSpace(addr))
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		domain = s.Domain
	}
	local, _, _ = strings.Cut(local, "+")
	return local + "@" + domain
}

// user returns the mailbox of addr, creating it.
func (s *Server) user(addr string) *imapmemserver.User {
	name := s.Mailbox(addr)
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[name]
	if !ok {
		u = imapmemserver.NewUser(name, "")
		_ = u.Create("INBOX", nil)
		s.mem.AddUser(u)
		s.users[name] = u
	}
	return u
}

// Deliver appends raw to the INBOX of rcpt, as the SMTP server does.
func (s *Server) Deliver(rcpt string, raw []byte) error {
	u := s.user(rcpt)
	var b bytes.Buffer
	fmt.Fprintf(&b, "Delivered-To: %s\r\n", strings.ToLower(rcpt))
	b.Write(raw)
	_, err := u.Append("INBOX", literal{bytes.NewReader(b.Bytes()), int64(b.Len())}, &imap.AppendOptions{Time: time.Now()})
	if err == nil {
		s.mu.Lock()
		s.delivered++
		s.mu.Unlock()
	}
	return err
}

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

// session accepts any password: the user is made on first login.
type session struct {
	imapserver.Session
	srv *Server
}

// rev2Session adds what IMAP4rev2 needs (MOVE, NAMESPACE), which the
// embedded interface hides.
type rev2Session struct{ *session }

func (s *rev2Session) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	return s.Session.(imapserver.SessionMove).Move(w, numSet, dest)
}

func (s *rev2Session) Namespace() (*imap.NamespaceData, error) {
	return s.Session.(imapserver.SessionNamespace).Namespace()
}

// Idle works round imapmemserver's, which waits for the next change and
// so never reports one that arrived just before IDLE began: it sends what
// is pending, then idles in short rounds, sending what is pending between
// them.
func (s *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	for {
		if err := s.Session.Poll(w, true); err != nil {
			return err
		}
		round := make(chan struct{})
		var once sync.Once
		end := func() { once.Do(func() { close(round) }) }
		t := time.AfterFunc(250*time.Millisecond, end)
		done := make(chan struct{})
		go func() {
			select {
			case <-stop:
				end()
			case <-round:
			}
			close(done)
		}()
		err := s.Session.Idle(w, round)
		t.Stop()
		end()
		<-done
		if err != nil {
			return err
		}
		select {
		case <-stop:
			return nil
		default:
		}
	}
}

func (s *session) Login(username, password string) error {
	if username == "" {
		return imapserver.ErrAuthFailed
	}
	s.srv.user(username)
	return s.Session.Login(s.srv.Mailbox(username), "") // every user's password is ""
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: b.s}, nil }

type smtpSession struct {
	s    *Server
	rcpt []string
}

func (ss *smtpSession) Reset()                                         { ss.rcpt = nil }
func (ss *smtpSession) Logout() error                                  { return nil }
func (ss *smtpSession) AuthPlain(username, password string) error      { return nil }
func (ss *smtpSession) Mail(from string, opts *smtp.MailOptions) error { return nil }

func (ss *smtpSession) Rcpt(to string, opts *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	reject := ss.s.rejectRcpt
	ss.s.mu.Unlock()
	if reject != nil {
		if err := reject(to); err != nil {
			return err
		}
	}
	_, domain, _ := strings.Cut(strings.ToLower(to), "@")
	if domain != ss.s.Domain {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 2},
			Message: "this dev mail server only delivers to @" + ss.s.Domain}
	}
	ss.rcpt = append(ss.rcpt, to)
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	for _, to := range ss.rcpt {
		if err := ss.s.Deliver(to, raw); err != nil {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: err.Error()}
		}
	}
	return nil
}

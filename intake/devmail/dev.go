package devmail

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"lexheller/intake/config"
)

// DevDatabase is where the dev mode keeps its cases: the working
// directory, or $XDG_DATA_HOME/lexheller when that is set.
func DevDatabase() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		dir := filepath.Join(d, "lexheller")
		if os.MkdirAll(dir, 0o700) == nil {
			return filepath.Join(dir, "lexheller-dev.db")
		}
	}
	return "lexheller-dev.db"
}

// freeOr returns addr when it can be listened on, else a free port on the
// same host (the port is named, so that it can be printed).
func freeOr(addr string) string {
	if l, err := net.Listen("tcp", addr); err == nil {
		l.Close()
		return addr
	}
	host, _, _ := net.SplitHostPort(addr)
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return net.JoinHostPort(host, "0")
	}
	defer l.Close()
	return l.Addr().String()
}

// StartDev starts the dev mode of `lexheller serve` without --config: a
// dev mail system on loopback, the built-in config pointing at it, and a
// filled-in example blanket beside the database; it prints how to use
// them to out. The returned func stops the mail system.
func StartDev(out io.Writer) (*config.Config, func(), error) {
	cfg, err := config.Default()
	if err != nil {
		return nil, nil, err
	}
	cfg.Database = DevDatabase()
	_, domain, _ := strings.Cut(cfg.Address, "@")
	srv, err := Start(Options{Domain: domain, IMAPAddr: freeOr(cfg.IMAP.Address), SMTPAddr: freeOr(cfg.SMTP.Address)})
	if err != nil {
		return nil, nil, err
	}
	cfg.IMAP.Address, cfg.SMTP.Address, cfg.HTTP.Address = srv.IMAPAddr, srv.SMTPAddr, freeOr(cfg.HTTP.Address)
	cfg.Web.Address = freeOr("127.0.0.1:8080") // the web form, on in dev mode
	example := filepath.Join(filepath.Dir(cfg.Database), "exempel.eml")
	if err := writeExample(example, "anna@"+domain, cfg.Address); err != nil {
		srv.Close()
		return nil, nil, err
	}
	fmt.Fprintf(out, `lexheller dev mode: no --config given, so a built-in mail system runs on loopback only.
  IMAP  %s  (log in as any @%s address, any password, no TLS)
  SMTP  %s  (delivers every @%s address into its own mailbox)
  Cases are kept in %s.

Send the filled-in example blanket %s:
  curl --url smtp://%s --mail-from anna@%s --mail-rcpt %s --upload-file %s
Read Anna's first mail, decoded:
  curl -s --url 'imap://%s/INBOX;UID=1' --user anna@%s:x | lexheller inspect -
  (with go run: ... | go run ./cmd/lexheller inspect -)
Process leader: %s (reply to lexheller's mail; /hjälp lists the commands)
The web form: http://%s/%s
Health and metrics: http://%s/healthz, http://%s/metrics
A whole case's life in a few seconds: lexheller demo

`, srv.IMAPAddr, domain, srv.SMTPAddr, domain, cfg.Database, example,
		srv.SMTPAddr, domain, cfg.Address, example,
		srv.IMAPAddr, domain, cfg.Forbund[0].ProcessLeaders[0], cfg.Web.Address, cfg.Forbund[0].Slug, cfg.HTTP.Address, cfg.HTTP.Address)
	return cfg, func() { srv.Close() }, nil
}

// exampleID is a fresh Message-ID for the example: the dev database
// outlives a run, and a blanket sent again under a Message-ID it has seen
// would only be moved, not answered.
func exampleID(domain string) string {
	return "Message-ID: <exempel." + strconv.FormatInt(time.Now().UnixNano(), 36) + "@" + domain + ">"
}

var messageIDLine = regexp.MustCompile(`(?mi)^Message-ID:[^\r\n]*`)

// writeExample writes a filled-in blanket, ready to send with curl, to
// path. A file that is there already (the user may have edited it) keeps
// its text and gets a new Message-ID.
func writeExample(path, from, to string) error {
	domain := strings.SplitN(from, "@", 2)[1]
	if b, err := os.ReadFile(path); err == nil {
		b = messageIDLine.ReplaceAll(b, []byte(exampleID(domain)))
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return fmt.Errorf("dev mode: write the example blanket: %w", err)
		}
		return nil
	}
	body := `Datum för händelsen: ` + time.Now().Format(time.DateOnly) + `
Ditt namn: Anna Andersson
Organisation: Arbetsförmedlingen Angered
Telefon: 070-123 45 67
Berörda parter: Försäkringskassan, Arbetsförmedlingen
Vad hände?
Personen blev sjukskriven, men Försäkringskassan godkände inte intyget
och Arbetsförmedlingen skrev ut hen. Ingen av dem visste vad den andra
hade beslutat.
Konsekvens för individen:
Personen står utan ersättning sedan två månader.
Förslag på lösning:
En gemensam avstämning mellan FK och AF innan ett beslut fattas.
Får vi kontakta dig? Ja
Får ärendet publiceras anonymiserat? Ja
`
	raw := "From: Anna Andersson <" + from + ">\r\nTo: " + to + "\r\nSubject: Lex Heller-anmälan\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n" + exampleID(domain) + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		return fmt.Errorf("dev mode: write the example blanket: %w", err)
	}
	return nil
}

// StartDemo starts a fresh dev mail system for `lexheller demo`, and the
// built-in config pointing at it, with its database in dir and a quick
// poll. The caller closes the returned server.
func StartDemo(dir string) (*config.Config, *Server, error) {
	cfg, err := config.Default()
	if err != nil {
		return nil, nil, err
	}
	_, domain, _ := strings.Cut(cfg.Address, "@")
	srv, err := Start(Options{Domain: domain})
	if err != nil {
		return nil, nil, err
	}
	cfg.IMAP.Address, cfg.SMTP.Address = srv.IMAPAddr, srv.SMTPAddr
	cfg.Database, cfg.HTTP.Address = filepath.Join(dir, "demo.db"), config.Off
	cfg.IMAP.PollInterval.Duration = 100 * time.Millisecond
	return cfg, srv, nil
}

package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
)

// readSecrets reads each server's password from the file or environment
// variable the config names. The config file itself holds no secret.
func (c *Config) readSecrets(text string) []error {
	p := &problems{path: c.Path, text: text}
	c.IMAP.readSecret(p, "imap")
	c.SMTP.readSecret(p, "smtp")
	for i := range c.Forbund {
		if s := c.Forbund[i].IMAP; s != nil {
			s.readSecret(p, "forbund.imap")
		}
	}
	c.OAuth2.readSecrets(p)
	for i := range c.Forbund {
		c.Forbund[i].OAuth2.readSecrets(p)
	}
	return p.errs
}

// readSecret reads s's password, when s has an account. An error shows
// the file's path or the variable's name only when its shape says it is
// one: an operator may have written the password itself in its place.
func (s *Server) readSecret(p *problems, key string) {
	if s.Username == "" || s.Auth == AuthOAuth2 {
		return
	}
	bad := func(sub, msg string, args ...any) {
		p.add(append(strings.Split(key, "."), sub), msg, args...)
	}
	short := key[strings.LastIndex(key, ".")+1:]
	switch {
	case s.PasswordFile != "":
		b, err := os.ReadFile(s.PasswordFile)
		if err != nil {
			var pe *fs.PathError
			switch {
			case looksLikePath(s.PasswordFile):
				bad("password_file", "%v", err)
			case errors.As(err, &pe):
				bad("password_file", "cannot read the file named on this line (not shown, in case it is the password itself): %v; "+
					"write the absolute path of a file that holds the password, e.g. \"/etc/lexheller/%s-password\"", pe.Err, short)
			default:
				bad("password_file", "cannot read the file named on this line (not shown, in case it is the password itself)")
			}
		}
		s.Password = strings.TrimRight(string(b), "\r\n")
	case s.PasswordEnv != "":
		v, ok := os.LookupEnv(s.PasswordEnv)
		switch {
		case ok:
		case envName.MatchString(s.PasswordEnv):
			bad("password_env", "the environment variable %s is not set", s.PasswordEnv)
		default:
			bad("password_env", "no environment variable of the name on this line is set (the name is not shown: it does not look like one, "+
				"and may be the password itself); write the variable's name, e.g. password_env = \"LEXHELLER_%s_PASSWORD\", "+
				"and set it in the daemon's environment", strings.ToUpper(short))
		}
		s.Password = v
	default:
		bad("username", "no password: add password_file = \"/etc/lexheller/%s-password\" or password_env = \"LEXHELLER_%s_PASSWORD\"", short, strings.ToUpper(short))
	}
}

// envName is the shape of an environment variable's name as written in
// capitals; password_env is shown in an error only when it has it.
var envName = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// looksLikePath reports whether password_file's value is an absolute
// path, which is then shown in an error.
func looksLikePath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.ContainsAny(p, " \t")
}

// String describes the server without its password, so that printing a
// Config (%v, %+v, a log line) shows no secret.
func (s Server) String() string {
	file, env := s.PasswordFile, s.PasswordEnv
	if file != "" && !looksLikePath(file) {
		file = "(not shown)"
	}
	if env != "" && !envName.MatchString(env) {
		env = "(not shown)"
	}
	return fmt.Sprintf("{Address:%s Security:%s Username:%s Auth:%s PasswordFile:%s PasswordEnv:%s Mailbox:%s}",
		s.Address, s.Security, s.Username, s.Auth, file, env, s.Mailbox)
}

// GoString is String, for %#v.
func (s Server) GoString() string { return "config.Server" + s.String() }

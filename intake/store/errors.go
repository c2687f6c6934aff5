package store

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// Unavailable reports whether err is the database failing as a whole (the
// disk full or failing, the file read-only or locked) rather than a fault
// of the one thing being written: retrying later may work, and nothing
// about the message in hand is to blame.
func Unavailable(err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrReadonly,
		sqlite3.ErrCantOpen, sqlite3.ErrCorrupt, sqlite3.ErrNotADB, sqlite3.ErrNomem, sqlite3.ErrPerm,
		sqlite3.ErrProtocol, sqlite3.ErrAuth:
		return true
	}
	return false
}

// DiskFull reports whether err says the database's disk is full.
func DiskFull(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrFull ||
		se.Code == sqlite3.ErrIoErr && se.ExtendedCode == sqlite3.ErrIoErrWrite)
}

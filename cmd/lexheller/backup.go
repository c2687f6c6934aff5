package main

import (
	"os"
	"time"
)

func cmdBackup(args []string, std stdio) error {
	c := newCLI("backup", std, true)
	if err := c.parse(args, 1, "the file to write, e.g. lexheller backup /var/backups/lexheller-2026-11-26.db"); err != nil {
		return err
	}
	st, err := c.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	if err := st.Backup(c.ctx, c.Arg(0)); err != nil {
		return err
	}
	info, err := os.Stat(c.Arg(0))
	if err != nil {
		return err
	}
	return c.print("backup", data{"File": c.Arg(0), "KB": info.Size() >> 10, "Took": time.Since(start).Round(time.Millisecond)})
}

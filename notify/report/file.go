package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write writes the report in format: text, csv, xlsx or html.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "text":
		return r.Text(w)
	case "csv":
		return r.CSV(w)
	case "xlsx":
		return r.XLSX(w)
	case "html":
		return r.HTML(w)
	}
	return fmt.Errorf("report: format %q: write text, csv, xlsx or html", format)
}

// WriteFile writes the report in format to path, with mode: through a
// new file created exclusively in its directory and renamed into place,
// so that a symbolic link planted at path or at the temporary name is
// replaced, never written through, and a reader never sees half a file.
func (r *Report) WriteFile(path, format string, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // gone after the rename
	if err := r.Write(f, format); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// Writes one module version in the layout of a Go module proxy (GOPROXY=file://...): <dir>/<path>/@v/
// {list, <v>.info, <v>.mod, <v>.zip}, the zip made by golang.org/x/mod/zip, the code the go command
// itself uses for module zips. From the upstream release's files (Debian's .orig tarball), the zip has
// the same h1: hash as the one proxy.golang.org serves: the seed module's go.sum checks exactly that.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: module-proxy <proxy dir> <module path> <version> <source dir>")
		os.Exit(2)
	}
	proxy, path, version, source := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	if err := write(proxy, module.Version{Path: path, Version: version}, source); err != nil {
		fmt.Fprintf(os.Stderr, "module-proxy: %s@%s: %v\n", path, version, err)
		os.Exit(1)
	}
}

func write(proxy string, mod module.Version, source string) error {
	escaped, err := module.EscapePath(mod.Path)
	if err != nil {
		return err
	}
	dir := filepath.Join(proxy, escaped, "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	goMod, err := os.ReadFile(filepath.Join(source, "go.mod"))
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"list":                 []byte(mod.Version + "\n"),
		mod.Version + ".info":  []byte(fmt.Sprintf("{\"Version\":%q}\n", mod.Version)),
		mod.Version + ".mod":   goMod,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			return err
		}
	}
	out, err := os.Create(filepath.Join(dir, mod.Version+".zip"))
	if err != nil {
		return err
	}
	if err := zip.CreateFromDir(out, mod, source); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

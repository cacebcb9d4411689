package browsertest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// processState is what all the tests of one test process share because it is costly to make
// and the same for every test: the module root, the refurbqa binary, the npm tools. It is the
// package's only state. Go's testing package has no per-process hook but TestMain, which every
// package of journeys would then have to write; a sync.OnceValue per resource does the same
// without that ceremony. Nothing in it is configuration: each value is derived from the
// checkout, once.
type processState struct {
	root        func() (string, error)
	binary      func() (string, error)
	tools       func() (*tools, error)
	screenshots sync.Once
}

// process is the state shared by the tests of this process (see processState).
var process = newProcessState()

func newProcessState() *processState {
	p := &processState{}
	p.root = sync.OnceValues(moduleRoot)
	p.binary = sync.OnceValues(func() (string, error) {
		root, err := p.root()
		if err != nil {
			return "", err
		}
		return buildBinary(root)
	})
	p.tools = sync.OnceValues(func() (*tools, error) {
		root, err := p.root()
		if err != nil {
			return nil, err
		}
		return installTools(filepath.Join(root, "console", "browsertest", "js"))
	})
	return p
}

// moduleRoot is the directory of refurbqa's go.mod, as the go command finds it from the test's
// working directory (the package being tested, somewhere inside the module).
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("go env GOMOD: not inside a module")
	}
	return filepath.Dir(mod), nil
}

// buildBinary builds cmd/refurbqa of the checkout at root. The binary goes to one place per
// checkout in the user's cache directory, replaced by a rename, so that test processes leave no
// copies behind and several processes of one checkout (go test runs packages in parallel) may
// build at once: each gets a complete binary of the same source.
func buildBinary(root string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	sum := sha256.Sum256([]byte(root))
	dir := filepath.Join(cache, "refurbqa-browsertest", hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, "refurbqa-*.tmp")
	if err != nil {
		return "", err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	cmd := exec.Command("go", "build", "-o", tmp.Name(), "./cmd/refurbqa")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/refurbqa: %w\n%s", err, out)
	}
	bin := filepath.Join(dir, "refurbqa")
	if err := os.Rename(tmp.Name(), bin); err != nil {
		return "", err
	}
	return bin, nil
}

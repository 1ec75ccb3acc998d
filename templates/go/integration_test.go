//go:build integration

// The service as its callers see it: through Kong's proxy, found through Consul, over RabbitMQ, on a
// throwaway copy of the whole stack (this service included) on free ports, removed afterwards:
//
//	go test -tags integration ./...
//
// It needs a Docker engine, Node and mkdev installed in the project (`npm install --save-dev mkdev` at
// the project root): TestMain starts the stack with mkdev/testing's startStack, which the TypeScript
// template's integration tests use too.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Run by node from the project's directory (its mkdev.yaml is two levels up from services/<name>/).
// Up to 8 minutes for the stack: the first build of the image compiles the standard library packages
// the service uses (go test's own limit is 10). The stack stops when stdin closes: when this test
// binary ends, whichever way, so a crashed run leaves nothing behind (and a killed helper's stack
// carries its owner, so the next mkdev command reaps it).
const stackHelper = `
import { startStack } from 'mkdev/testing';
const stack = await startStack({ cwd: process.cwd(), services: [process.argv[1]], timeoutMs: 480_000 });
process.stdout.write(JSON.stringify(stack.env) + '\n');
process.on('SIGINT', () => {});
process.stdin.resume();
process.stdin.on('end', async () => { await stack.stop(); process.exit(0); });
`

func TestMain(m *testing.M) {
	os.Exit(withStack(m))
}

func withStack(m *testing.M) int {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	helper := exec.Command("node", "--input-type=module", "-e", stackHelper, "__SERVICE_NAME__")
	helper.Dir = root
	helper.Stderr = os.Stderr
	stdin, _ := helper.StdinPipe()
	stdout, _ := helper.StdoutPipe()
	if err := helper.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "starting the throwaway stack (node + mkdev/testing): %v\n", err)
		return 1
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	var stackEnv map[string]string
	if err == nil {
		err = json.Unmarshal([]byte(line), &stackEnv)
	}
	if err != nil {
		_ = stdin.Close()
		_ = helper.Wait()
		fmt.Fprintf(os.Stderr, "the throwaway stack did not start (%v); see above\n", err)
		return 1
	}
	for key, value := range stackEnv {
		_ = os.Setenv(key, value)
	}
	code := m.Run()
	_ = stdin.Close()
	if err := helper.Wait(); err != nil {
		fmt.Fprintf(os.Stderr, "stopping the throwaway stack: %v\n", err)
	}
	return code
}

func proxy(t *testing.T) string {
	url := os.Getenv("MKDEV_KONG_PROXY_URL")
	if url == "" {
		t.Fatal("MKDEV_KONG_PROXY_URL is not set")
	}
	return url + "__ROUTE_PATH__"
}

func getJSON(t *testing.T, url string, out any) int {
	t.Helper()
	response, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	raw, _ := io.ReadAll(response.Body)
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("GET %s: %d %q", url, response.StatusCode, raw)
	}
	return response.StatusCode
}

func TestItAnswersThroughKong(t *testing.T) {
	var body map[string]any
	if status := getJSON(t, proxy(t), &body); status != 200 || body["service"] != "__SERVICE_NAME__" {
		t.Fatalf("GET __ROUTE_PATH__: %d %v", status, body)
	}
}

func TestItQueuesAVerificationAndListsItOnceConsumed(t *testing.T) {
	email := fmt.Sprintf("it-%d@example.com", time.Now().UnixNano())
	response, err := http.Post(proxy(t)+"/verifications", "application/json",
		strings.NewReader(fmt.Sprintf(`{"email":%q,"name":"Integration"}`, email)))
	if err != nil {
		t.Fatal(err)
	}
	response.Body.Close()
	if response.StatusCode != 202 {
		t.Fatalf("POST: %d", response.StatusCode)
	}
	var listed struct {
		Processed []struct{ Email string } `json:"processed"`
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		getJSON(t, proxy(t)+"/verifications", &listed)
		for _, p := range listed.Processed {
			if p.Email == email {
				return
			}
		}
	}
	t.Fatalf("%s was not listed as processed: %+v", email, listed.Processed)
}

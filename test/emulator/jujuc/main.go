// Command jujuc is the emulator's hook-tool client, installed under every hook tool's name as Juju
// installs its own jujuc: it forwards argv, cwd, JUJU_CONTEXT_ID and (when the tool asks for it)
// stdin to the unit agent's socket, prints what the agent answers and exits with the agent's code.
//
// Wire format, both ways: a 4-byte big-endian length, then that many bytes of JSON.
// Invoked as "juju-emulator" it forwards an operator command (deploy, config, ...) instead.
package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

const (
	connectTimeout = 5 * time.Second
	// A tool call is answered in milliseconds; the bound only turns a stuck agent into an error.
	toolTimeout = 120 * time.Second
	// Operator commands run whole hooks (flanneld start, etcd) and may take minutes.
	operatorTimeout = 30 * time.Minute
	maxReply        = 64 << 20
	operatorCommand = "juju-emulator"
)

type request struct {
	ContextId   string
	Dir         string
	CommandName string
	Args        []string
	StdinSet    bool
	Stdin       []byte
	// Started is the client's start time (Unix ms) so the agent can time the whole call.
	Started float64
}

type response struct {
	Code      int
	Stdout    []byte
	Stderr    []byte
	NeedStdin bool
}

func main() {
	started := float64(time.Now().UnixNano()) / 1e6
	name := filepath.Base(os.Args[0])
	code, err := run(name, os.Args[1:], started)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ERROR %v\n", err)
	}
	os.Exit(code)
}

func run(name string, args []string, started float64) (int, error) {
	address := os.Getenv("JUJU_AGENT_SOCKET_ADDRESS")
	if address == "" {
		return 1, errors.New("JUJU_AGENT_SOCKET_ADDRESS not set: hook tools answer inside a hook; on a machine run them as juju-exec UNIT -- TOOL (e.g. juju-exec flannel/0 -- status-get)")
	}
	if network := os.Getenv("JUJU_AGENT_SOCKET_NETWORK"); network != "unix" {
		return 1, fmt.Errorf("JUJU_AGENT_SOCKET_NETWORK is %q: this agent listens on unix sockets only", network)
	}
	req := request{CommandName: name, Args: args, Started: started}
	timeout := operatorTimeout
	if name != operatorCommand {
		timeout = toolTimeout
		req.ContextId = os.Getenv("JUJU_CONTEXT_ID")
		if req.ContextId == "" {
			return 1, errors.New("JUJU_CONTEXT_ID not set")
		}
	}
	if value, err := strconv.Atoi(os.Getenv("JUJU_EMULATOR_CALL_TIMEOUT")); err == nil && value > 0 {
		timeout = time.Duration(value) * time.Second
	}
	dir, err := os.Getwd()
	if err != nil {
		return 1, err
	}
	req.Dir = dir
	resp, err := call(address, timeout, req)
	if err != nil {
		return 1, err
	}
	os.Stdout.Write(resp.Stdout)
	os.Stderr.Write(resp.Stderr)
	return resp.Code, nil
}

// call sends the request; when the agent says the tool reads stdin, it sends it again with stdin, so
// a tool that never reads stdin never blocks on it.
func call(address string, timeout time.Duration, req request) (response, error) {
	conn, err := net.DialTimeout("unix", address, connectTimeout)
	if err != nil {
		return response{}, fmt.Errorf("cannot reach the unit agent: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	resp, err := exchange(conn, req)
	if err == nil && resp.NeedStdin {
		if req.Stdin, err = io.ReadAll(os.Stdin); err != nil {
			return response{}, fmt.Errorf("reading stdin: %v", err)
		}
		req.StdinSet = true
		resp, err = exchange(conn, req)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return response{}, fmt.Errorf("the unit agent at %s did not answer within %v", address, timeout)
	}
	return resp, err
}

func exchange(conn net.Conn, req request) (response, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return response{}, err
	}
	frame := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(body)), uint32(len(body)))
	if _, err := conn.Write(append(frame, body...)); err != nil {
		return response{}, fmt.Errorf("sending to the unit agent: %v", err)
	}
	var size uint32
	if err := binary.Read(conn, binary.BigEndian, &size); err != nil {
		return response{}, replyError(err)
	}
	if size > maxReply {
		return response{}, fmt.Errorf("invalid reply from the unit agent: frame of %d bytes", size)
	}
	reply := make([]byte, size)
	if _, err := io.ReadFull(conn, reply); err != nil {
		return response{}, replyError(err)
	}
	var resp response
	if err := json.Unmarshal(reply, &resp); err != nil {
		return response{}, fmt.Errorf("invalid reply from the unit agent: %v", err)
	}
	return resp, nil
}

func replyError(err error) error {
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the unit agent closed the connection without an answer")
	}
	return fmt.Errorf("reading the unit agent's answer: %v", err)
}

// tlogcheck checks a ClaimLedger log with Go's own transparency-log code (golang.org/x/mod/sumdb/note and
// sumdb/tlog), sharing nothing with ClaimLedger's C#: the latest checkpoint as a signed note, signed by the log (and
// cosigned by the witness, when one is named); the hash tiles, read as tlog-tiles serves them, against the signed
// root; a tlog-proof file of one leaf; the consistency of an earlier checkpoint with the latest; and the leaf hashes of
// an event export against the signed tree.
//
//	tlogcheck -log <vkey> -url <log base URL> [-witness <vkey>] [-proof <file> -leaf <file>] [-old <note file>] [-export <file>]
//
// Build it without a module (Debian: apt-get install golang-go golang-golang-x-mod-dev):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o tlogcheck .
//
// It prints what it verified and exits 0, or prints FAIL and exits 1 (2 for wrong flags).
package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// cosignatureVerifier verifies tlog-cosignature v1 (type 0x04) signatures, which note.NewVerifier does not know.
type cosignatureVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v cosignatureVerifier) Name() string    { return v.name }
func (v cosignatureVerifier) KeyHash() uint32 { return v.hash }
func (v cosignatureVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	signed := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), msg...)
	return ed25519.Verify(v.key, signed, sig[8:])
}

func newCosignatureVerifier(vkey string) (note.Verifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("malformed witness key %q", vkey)
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 1+ed25519.PublicKeySize || key[0] != 0x04 {
		return nil, fmt.Errorf("witness key %q is not an Ed25519 cosignature key", vkey)
	}
	h := sha256.Sum256(append([]byte(parts[0]+"\n"), key...))
	hash := binary.BigEndian.Uint32(h[:4])
	if fmt.Sprintf("%08x", hash) != parts[1] {
		return nil, fmt.Errorf("witness key %q: the key ID should be %08x", vkey, hash)
	}
	return cosignatureVerifier{parts[0], hash, ed25519.PublicKey(key[1:])}, nil
}

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

// open verifies a checkpoint note: the log's signature, and the witness's cosignature when a witness is given, must be
// on it and verify. Signatures of other keys are ignored.
func open(msg []byte, log, witness note.Verifier) (checkpoint, error) {
	verifiers := note.VerifierList(log)
	if witness != nil {
		verifiers = note.VerifierList(log, witness)
	}
	n, err := note.Open(msg, verifiers)
	if err != nil {
		return checkpoint{}, err
	}
	signers := map[string]bool{}
	for _, s := range n.Sigs {
		signers[s.Name] = true
	}
	if !signers[log.Name()] || (witness != nil && !signers[witness.Name()]) {
		return checkpoint{}, fmt.Errorf("verified signatures %v: the log's and the witness's are both needed", n.Sigs)
	}
	return parseCheckpoint(n.Text)
}

func parseCheckpoint(text string) (checkpoint, error) {
	lines := strings.Split(text, "\n")
	if len(lines) < 4 {
		return checkpoint{}, fmt.Errorf("checkpoint text %q has fewer than three lines", text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return checkpoint{}, err
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return checkpoint{}, err
	}
	return checkpoint{lines[0], size, root}, nil
}

// httpTiles reads tiles at <url>/tlog/tile/<L>/<N>[.p/<W>]: Go's tile paths carry the height (tile/8/...), tlog-tiles' do not.
type httpTiles struct{ url string }

func (t httpTiles) Height() int { return 8 }
func (t httpTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, tile := range tiles {
		path := strings.TrimPrefix(tile.Path(), "tile/8/")
		body, err := get(t.url + "/tlog/tile/" + path)
		if err != nil {
			return nil, err
		}
		data[i] = body
	}
	return data, nil
}
func (t httpTiles) SaveTiles([]tlog.Tile, [][]byte) {}

func get(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return body, err
}

// parseProof reads a c2sp.org/tlog-proof@v1 file: header, optional extra, index, hashes, blank line, checkpoint.
func parseProof(text string) (int64, tlog.RecordProof, []byte, error) {
	lines := strings.Split(text, "\n")
	if lines[0] != "c2sp.org/tlog-proof@v1" {
		return 0, nil, nil, fmt.Errorf("not a tlog-proof: %q", lines[0])
	}
	i := 1
	if strings.HasPrefix(lines[i], "extra ") {
		i++
	}
	if !strings.HasPrefix(lines[i], "index ") {
		return 0, nil, nil, fmt.Errorf("no index line: %q", lines[i])
	}
	index, err := strconv.ParseInt(strings.TrimPrefix(lines[i], "index "), 10, 64)
	if err != nil {
		return 0, nil, nil, err
	}
	var proof tlog.RecordProof
	for i++; i < len(lines) && lines[i] != ""; i++ {
		h, err := tlog.ParseHash(lines[i])
		if err != nil {
			return 0, nil, nil, err
		}
		proof = append(proof, h)
	}
	return index, proof, []byte(strings.Join(lines[i+1:], "\n")), nil
}

func main() {
	logKey := flag.String("log", "", "the log's note verifier key (required)")
	url := flag.String("url", "", "the log's base URL, where /tlog/checkpoint and /tlog/tile/ are served (required)")
	witnessKey := flag.String("witness", "", "a witness's cosignature verifier key: its cosignature is then required")
	proofFile := flag.String("proof", "", "a c2sp.org/tlog-proof@v1 file (with -leaf)")
	leafFile := flag.String("leaf", "", "the leaf's exact bytes (with -proof)")
	oldFile := flag.String("old", "", "an earlier checkpoint note of the log, kept from before")
	exportFile := flag.String("export", "", "an event export (NDJSON), taken after the checkpoint was read")
	flag.Parse()
	if *logKey == "" || *url == "" || (*proofFile == "") != (*leafFile == "") {
		fmt.Fprintln(os.Stderr, "tlogcheck: -log and -url are required; -proof and -leaf go together")
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*logKey, *witnessKey, strings.TrimSuffix(*url, "/"), *proofFile, *leafFile, *oldFile, *exportFile); err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
}

func run(logKey, witnessKey, url, proofFile, leafFile, oldFile, exportFile string) error {
	log, err := note.NewVerifier(logKey)
	if err != nil {
		return fmt.Errorf("log key: %v", err)
	}
	var witness note.Verifier
	if witnessKey != "" {
		if witness, err = newCosignatureVerifier(witnessKey); err != nil {
			return err
		}
	}

	msg, err := get(url + "/tlog/checkpoint")
	if err != nil {
		return err
	}
	if !bytes.HasSuffix(msg, []byte("\n")) {
		return fmt.Errorf("the checkpoint does not end with a newline")
	}
	latest, err := open(msg, log, witness)
	if err != nil {
		return fmt.Errorf("/tlog/checkpoint: %v", err)
	}
	if latest.origin != log.Name() {
		return fmt.Errorf("origin %q is not the key's name %q", latest.origin, log.Name())
	}
	if witness != nil {
		fmt.Printf("ok note: %s size %d signed by %s, cosigned by %s\n", latest.origin, latest.size, log.Name(), witness.Name())
	} else {
		fmt.Printf("ok note: %s size %d signed by %s\n", latest.origin, latest.size, log.Name())
	}

	// TileHashReader checks every tile it reads against the signed root.
	hashes := tlog.TileHashReader(tlog.Tree{N: latest.size, Hash: latest.root}, httpTiles{url})
	root, err := tlog.TreeHash(latest.size, hashes)
	if err != nil {
		return fmt.Errorf("tiles: %v", err)
	}
	if root != latest.root {
		return fmt.Errorf("tiles give root %v, the checkpoint %v", root, latest.root)
	}
	fmt.Printf("ok tiles: the tiles of size %d hash to the signed root\n", latest.size)

	if proofFile != "" {
		if err := checkProof(proofFile, leafFile, log, witness, latest, hashes); err != nil {
			return err
		}
	}
	if oldFile != "" {
		if err := checkConsistency(oldFile, log, latest, hashes); err != nil {
			return err
		}
	}
	if exportFile != "" {
		if err := checkExport(exportFile, latest, hashes); err != nil {
			return err
		}
	}
	return nil
}

// checkProof checks a tlog-proof of one leaf, and the same leaf against the tiles of the latest checkpoint.
func checkProof(proofFile, leafFile string, log, witness note.Verifier, latest checkpoint, hashes tlog.HashReader) error {
	proofText, err := os.ReadFile(proofFile)
	if err != nil {
		return err
	}
	leaf, err := os.ReadFile(leafFile)
	if err != nil {
		return err
	}
	index, proof, proofCheckpoint, err := parseProof(string(proofText))
	if err != nil {
		return err
	}
	signed, err := open(proofCheckpoint, log, witness)
	if err != nil {
		return fmt.Errorf("the proof's checkpoint: %v", err)
	}
	if err := tlog.CheckRecord(proof, signed.size, signed.root, index, tlog.RecordHash(leaf)); err != nil {
		return fmt.Errorf("the tlog-proof of leaf %d: %v", index, err)
	}
	if index < latest.size {
		fromTiles, err := tlog.ProveRecord(latest.size, index, hashes)
		if err != nil {
			return err
		}
		if err := tlog.CheckRecord(fromTiles, latest.size, latest.root, index, tlog.RecordHash(leaf)); err != nil {
			return fmt.Errorf("the inclusion proof of leaf %d built from the tiles: %v", index, err)
		}
	}
	fmt.Printf("ok proof: leaf %d (record hash %v) is in the tree of size %d (tlog-proof) and of size %d (tiles)\n",
		index, tlog.RecordHash(leaf), signed.size, latest.size)
	return nil
}

// checkConsistency checks that an earlier checkpoint's tree is a prefix of the latest one's: the log only appended.
func checkConsistency(oldFile string, log note.Verifier, latest checkpoint, hashes tlog.HashReader) error {
	oldMsg, err := os.ReadFile(oldFile)
	if err != nil {
		return err
	}
	n, err := note.Open(oldMsg, note.VerifierList(log))
	if err != nil {
		return fmt.Errorf("the earlier checkpoint: %v", err)
	}
	old, err := parseCheckpoint(n.Text)
	if err != nil {
		return err
	}
	if old.size > latest.size {
		return fmt.Errorf("the earlier checkpoint has size %d, the latest %d: the log went back", old.size, latest.size)
	}
	treeProof, err := tlog.ProveTree(latest.size, old.size, hashes)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(treeProof, latest.size, latest.root, old.size, old.root); err != nil {
		return fmt.Errorf("consistency %d -> %d: %v", old.size, latest.size, err)
	}
	fmt.Printf("ok consistency: the tree of size %d is a prefix of the tree of size %d\n", old.size, latest.size)
	return nil
}

// checkExport checks that an event export holds every leaf of the signed tree, in order, each with the leaf hash the
// tree holds at its index. Events after the checkpoint (or not yet in the tree) are counted, not checked.
func checkExport(exportFile string, latest checkpoint, hashes tlog.HashReader) error {
	f, err := os.Open(exportFile)
	if err != nil {
		return err
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	lines.Buffer(make([]byte, 1<<20), 64<<20) // a source's whole text is one event
	var next, later int64
	var indexes []int64
	var want []string
	flush := func() error {
		got, err := hashes.ReadHashes(indexes)
		if err != nil {
			return err
		}
		for i, h := range got {
			if hex.EncodeToString(h[:]) != want[i] {
				leaf := next - int64(len(indexes)) + int64(i)
				return fmt.Errorf("export: leaf %d has hash %s, the signed tree %s", leaf, want[i], hex.EncodeToString(h[:]))
			}
		}
		indexes, want = indexes[:0], want[:0]
		return nil
	}
	for number := 1; lines.Scan(); number++ {
		if len(bytes.TrimSpace(lines.Bytes())) == 0 {
			continue
		}
		var event struct {
			LeafIndex *int64 `json:"leafIndex"`
			LeafHash  string `json:"leafHash"`
		}
		if err := json.Unmarshal(lines.Bytes(), &event); err != nil {
			return fmt.Errorf("export line %d: %v", number, err)
		}
		if event.LeafIndex == nil || *event.LeafIndex >= latest.size {
			later++
			continue
		}
		if *event.LeafIndex != next {
			return fmt.Errorf("export line %d holds leaf %d where leaf %d was due", number, *event.LeafIndex, next)
		}
		indexes = append(indexes, tlog.StoredHashIndex(0, next))
		want = append(want, event.LeafHash)
		next++
		if len(indexes) == 256 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := lines.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if next != latest.size {
		return fmt.Errorf("export: it holds %d of the %d leaves the checkpoint signs (take the export after reading the checkpoint)", next, latest.size)
	}
	fmt.Printf("ok export: its %d leaf hashes are those of the signed tree of size %d (%d later events not checked)\n", next, latest.size, later)
	return nil
}

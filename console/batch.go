package console

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// maxBatchFile is the largest batch file accepted, the API's body limit.
const maxBatchFile = 10 << 20

// batchPage is the batch upload: the form, and after an upload the result of every item.
type batchPage struct {
	Form                         *form
	FileName                     string
	Results                      []batchRow
	Created, Duplicates, Invalid int
}

// batchRow is the result of one item of an uploaded batch.
type batchRow struct {
	N          int // 1-based position in the file
	SellerID   string
	ExternalID string
	audit.BatchResult
}

func (c *Console) batchForm(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	return c.render(w, r, s, http.StatusOK, "batch", "Batch upload", batchPage{Form: newForm(nil)})
}

// uploadBatch is POST /console/bench-tests/batch: a JSON file in the format of POST
// /api/v1/bench-tests/batch, decoded by the API's own decoder and recorded by the same use
// case, so that every item gets the answer the API would give it: created, duplicate (with
// the stored bench test) or invalid (with every problem).
func (c *Console) uploadBatch(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	page := batchPage{Form: newForm(nil)}
	refuse := func(msg string) error {
		page.Form.Errors["file"] = msg
		return c.render(w, r, s, http.StatusUnprocessableEntity, "batch", "Batch upload", page)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBatchFile+1<<20)
	file, header, err := r.FormFile("file")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return refuse(fmt.Sprintf("is larger than %d MiB", maxBatchFile>>20))
	case err != nil:
		return refuse("choose a JSON file of bench tests")
	}
	defer file.Close()
	page.FileName = header.Filename
	body, err := io.ReadAll(io.LimitReader(file, maxBatchFile+1))
	if err != nil {
		return err
	}
	if len(body) > maxBatchFile {
		return refuse(fmt.Sprintf("is larger than %d MiB", maxBatchFile>>20))
	}
	items, err := wire.DecodeBenchTestBatch(body)
	if err != nil {
		return refuse(problemText(err))
	}
	results, err := c.svc.RecordBenchTests(r.Context(), s.principal(), items)
	var ve *audit.ValidationError
	if errors.As(err, &ve) {
		return refuse(problemText(err))
	}
	if err != nil {
		return err
	}
	for i, res := range results {
		page.Results = append(page.Results, batchRow{N: i + 1, SellerID: items[i].Value.SellerID, ExternalID: items[i].Value.ExternalID, BatchResult: res})
		switch res.Outcome {
		case audit.BatchCreated:
			page.Created++
		case audit.BatchDuplicate:
			page.Duplicates++
		default:
			page.Invalid++
		}
	}
	return c.render(w, r, s, http.StatusOK, "batch", "Batch upload", page)
}

// problemText says what is wrong with a file as a whole, in one line.
func problemText(err error) string {
	var ve *audit.ValidationError
	if !errors.As(err, &ve) || len(ve.Errors) == 0 {
		return "could not be read: " + err.Error()
	}
	out := ""
	for i, f := range ve.Errors {
		if i > 0 {
			out += "; "
		}
		out += problemWords(f)
	}
	return "is not a batch of bench tests: " + out
}

// problemWords is one problem of an uploaded document in words, naming where it is.
func problemWords(f grading.FieldError) string {
	switch f.Field {
	case "", "body":
		return f.Message
	}
	return f.Field + " " + f.Message
}

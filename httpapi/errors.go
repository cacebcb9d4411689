package httpapi

import (
	"errors"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

func fieldErr(field, msg string) []grading.FieldError {
	return []grading.FieldError{{Field: field, Message: msg}}
}

// sellerRefError turns "that seller does not exist" into a validation error of the body field
// that named it: the request is wrong, not the URL.
func sellerRefError(err error, field string) error {
	if errors.Is(err, audit.ErrNotFound) {
		return audit.Invalid(fieldErr(field, "no seller has this id"))
	}
	return err
}

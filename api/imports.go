package api

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/item"
)

// ImportPath addresses one import.
type ImportPath struct {
	ID uuid.UUID `path:"id" format:"uuid" doc:"Import id."`
}

// CreateImportInput is an upload of a bookmark file. The body is read as a
// stream (never whole into memory), so it is taken from the request in
// Resolve rather than declared as a Huma body.
type CreateImportInput struct {
	CollectionPath
	OnDuplicate string `query:"on_duplicate" enum:"skip,update" default:"skip" doc:"What to do with a bookmark whose URL is already in the collection or earlier in the file: skip it, or update the existing item."`
	ContentType string `header:"Content-Type" doc:"multipart/form-data with the file in the field \"file\", or the file itself as the body."`
	body        io.Reader
}

// uploadReadTimeout is how long an upload may take: a 50 MiB file over a
// slow link needs longer than the server's read timeout.
const uploadReadTimeout = 10 * time.Minute

// Resolve implements huma.Resolver: it keeps the request body for the
// handler and gives the upload time to arrive.
func (in *CreateImportInput) Resolve(ctx huma.Context) []error {
	in.body = ctx.BodyReader()
	_ = ctx.SetReadDeadline(time.Now().Add(uploadReadTimeout)) // best effort: not every transport has deadlines
	return nil
}

// ImportOutput answers an upload.
type ImportOutput struct {
	Location string `header:"Location"`
	Body     ImportReport
}

// ImportReportOutput answers with one import.
type ImportReportOutput struct {
	Body ImportReport
}

// ListImportsInput pages a collection's imports.
type ListImportsInput struct {
	CollectionPath
	PageParams
}

// exportDocumentSchema describes Atlas' JSON export (format=json): the
// collection and every item with all its fields (item.Export writes it).
var exportDocumentSchema = &huma.Schema{
	Type:     huma.TypeObject,
	Required: []string{"format", "version", "exported_at", "collection", "items"},
	Properties: map[string]*huma.Schema{
		"format":      {Type: huma.TypeString, Enum: []any{"atlas-export"}},
		"version":     {Type: huma.TypeInteger},
		"exported_at": {Type: huma.TypeString, Format: "date-time"},
		"collection":  {Type: huma.TypeObject},
		"items":       {Type: huma.TypeArray, Items: &huma.Schema{Type: huma.TypeObject}},
	},
}

// ExportInput asks for a collection as a file.
type ExportInput struct {
	CollectionPath
	Format string `query:"format" enum:"netscape,json" default:"netscape" doc:"netscape: a bookmark file any browser imports; json: Atlas' export, with every field."`
}

// importRequestBody documents the upload in the OpenAPI document.
var importRequestBody = &huma.RequestBody{
	Required:    true,
	Description: "A Netscape bookmark file (as browsers export it) or an Atlas JSON export, as the field `file` of a multipart form or as the whole body.",
	Content: map[string]*huma.MediaType{
		"multipart/form-data": {Schema: &huma.Schema{Type: huma.TypeObject, Required: []string{"file"},
			Properties: map[string]*huma.Schema{"file": {Type: huma.TypeString, Format: "binary"}}}},
		"text/html":                {Schema: &huma.Schema{Type: huma.TypeString}},
		"application/octet-stream": {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}},
	},
}

func (s *Server) registerImports() {
	tags := []string{"Import and export"}
	huma.Register(s.api, huma.Operation{
		OperationID: "create-import", Method: http.MethodPost, Path: "/api/v1/collections/{id}/imports",
		Summary:     "Import a bookmark file into a collection (owners, editors)",
		Description: "Stores the file and queues an IMPORT_BOOKMARKS job; follow Location for its progress and report.",
		Tags:        tags, Security: secured, DefaultStatus: http.StatusAccepted,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *CreateImportInput) (*ImportOutput, error) {
		file, err := uploadedFile(in.ContentType, in.body)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		imp, err := s.items.CreateImport(ctx, caller(ctx), in.ID, item.CreateImportParams{
			File: tooLargeAsProblem{file}, OnDuplicate: item.OnDuplicate(in.OnDuplicate)})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &ImportOutput{Location: "/api/v1/imports/" + imp.ID.String(), Body: toImportReport(imp)}, nil
	})
	// Documented after registering: given to Register, the multipart schema
	// would make Huma read and decode the whole body itself.
	s.api.OpenAPI().Paths["/api/v1/collections/{id}/imports"].Post.RequestBody = importRequestBody

	huma.Register(s.api, huma.Operation{
		OperationID: "get-import", Method: http.MethodGet, Path: "/api/v1/imports/{id}",
		Summary: "Get an import's progress and report", Tags: tags, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *ImportPath) (*ImportReportOutput, error) {
		imp, err := s.items.GetImport(ctx, caller(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &ImportReportOutput{Body: toImportReport(imp)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-imports", Method: http.MethodGet, Path: "/api/v1/collections/{id}/imports",
		Summary: "List a collection's imports, newest first", Tags: tags, Security: secured,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *ListImportsInput) (*ListOutput[ImportSummary], error) {
		imps, next, err := s.items.ListImports(ctx, caller(ctx), in.ID, in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(imps, next, toImportSummary), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "export-collection", Method: http.MethodGet, Path: "/api/v1/collections/{id}/export",
		Summary: "Download a collection as a bookmark file or an Atlas JSON export", Tags: tags, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity},
		Responses: map[string]*huma.Response{"200": {Description: "The file, streamed.", Content: map[string]*huma.MediaType{
			"text/html": {Schema: &huma.Schema{Type: huma.TypeString}}, "application/json": {Schema: exportDocumentSchema},
		}}},
	}, func(ctx context.Context, in *ExportInput) (*huma.StreamResponse, error) {
		exp, err := s.items.OpenExport(ctx, caller(ctx), in.ID, item.Format(in.Format))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			hctx.SetHeader("Content-Type", exp.ContentType())
			hctx.SetHeader("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": exp.Filename()}))
			hctx.SetHeader("Cache-Control", "no-store")
			if err := exp.WriteTo(ctx, hctx.BodyWriter()); err != nil {
				// The status is sent: the truncated file is all the client gets.
				s.log.ErrorContext(ctx, "export failed", "collection_id", in.ID.String(), "error", err.Error())
			}
		}}, nil
	})
}

// uploadedFile is the file of an upload: the multipart field "file", or
// the body itself.
func uploadedFile(contentType string, body io.Reader) (io.Reader, error) {
	if body == nil {
		return nil, atlas.Invalid("file", "the request has no body")
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" {
		return body, nil
	}
	if params["boundary"] == "" {
		return nil, atlas.Invalid("file", "the multipart body has no boundary")
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, atlas.Invalid("file", `the form has no field "file"`)
		}
		if err != nil {
			if te := tooLarge(err); te != err { //nolint:errorlint // identity: tooLarge returns err itself unless it is a size error
				return nil, te
			}
			return nil, atlas.Invalid("file", "the multipart body is malformed")
		}
		if part.FormName() == "file" {
			return part, nil
		}
	}
}

// tooLargeAsProblem turns the body cap's error into atlas.ErrTooLarge.
type tooLargeAsProblem struct{ r io.Reader }

func (t tooLargeAsProblem) Read(p []byte) (int, error) {
	k, err := t.r.Read(p)
	return k, tooLarge(err)
}

func tooLarge(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return atlas.Errorf(atlas.ErrTooLarge, "the file is larger than %d bytes", mbe.Limit-importFormSlack)
	}
	return err
}

// importFormSlack is what the body cap of the import route allows beyond
// ATLAS_IMPORT_MAX_BYTES for the multipart envelope.
const importFormSlack = 64 << 10

// isImportUpload reports whether r is POST /api/v1/collections/{id}/imports,
// the one route whose body cap is ATLAS_IMPORT_MAX_BYTES.
func isImportUpload(r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/collections/")
	id, tail, _ := strings.Cut(rest, "/")
	return ok && r.Method == http.MethodPost && tail == "imports" && id != ""
}

// ImportSummary is an import without its report.
type ImportSummary struct {
	ID           uuid.UUID  `json:"id"`
	CollectionID uuid.UUID  `json:"collection_id"`
	Status       string     `json:"status" enum:"QUEUED,RUNNING,SUCCEEDED,FAILED"`
	Format       string     `json:"format" enum:"netscape,json" doc:"Detected from the file."`
	OnDuplicate  string     `json:"on_duplicate" enum:"skip,update"`
	SizeBytes    int64      `json:"size_bytes" doc:"The file's size."`
	BytesDone    int64      `json:"bytes_done" doc:"How much of the file has been read (progress = bytes_done / size_bytes)."`
	Total        int        `json:"total" doc:"Entries read so far (all of them once finished): created + updated + skipped + failed."`
	Created      int        `json:"created"`
	Updated      int        `json:"updated"`
	Skipped      int        `json:"skipped"`
	Failed       int        `json:"failed"`
	Failure      string     `json:"failure,omitempty" doc:"Why a FAILED import stopped."`
	CreatedAt    time.Time  `json:"created_at"`
	StartedAt    *time.Time `json:"started_at"`
	FinishedAt   *time.Time `json:"finished_at"`
}

// ImportReport is an import with the entries that were skipped or failed.
type ImportReport struct {
	ImportSummary
	Errors []ImportError `json:"errors" doc:"Entries that were skipped or failed, in file order (the first 1000)."`
}

// ImportError is an entry of the file that did not become an item.
type ImportError struct {
	Line    int    `json:"line" doc:"1-based line of the file (for JSON, where the item ends)."`
	Outcome string `json:"outcome" enum:"skipped,failed"`
	URL     string `json:"url"`
	Title   string `json:"title"`
	Reason  string `json:"reason"`
}

func toImportSummary(i item.Import) ImportSummary {
	return ImportSummary{ID: i.ID, CollectionID: i.CollectionID, Status: string(i.Status), Format: string(i.Format),
		OnDuplicate: string(i.OnDuplicate), SizeBytes: i.SizeBytes, BytesDone: i.BytesDone, Total: i.Total,
		Created: i.Created, Updated: i.Updated, Skipped: i.Skipped, Failed: i.Failed, Failure: i.Failure,
		CreatedAt: i.CreatedAt, StartedAt: i.StartedAt, FinishedAt: i.FinishedAt}
}

func toImportReport(i item.Import) ImportReport {
	out := ImportReport{ImportSummary: toImportSummary(i), Errors: make([]ImportError, 0, len(i.Report))}
	for _, e := range i.Report {
		out.Errors = append(out.Errors, ImportError{Line: e.Line, Outcome: e.Outcome, URL: e.URL, Title: e.Title, Reason: e.Reason})
	}
	return out
}

/// The API's OpenAPI 3.1 document, served at `/openapi.json`. It lists exactly the routes the
/// router has (a test compares the two, method and path), with the shapes DESIGN's service
/// section gives them; it grows with the routes.
public enum OpenAPIDocument {
    public static let json = #"""
    {
      "openapi": "3.1.0",
      "info": { "title": "plugin-host", "version": "1.0.0",
                "description": "Stored, versioned workflows per tenant and their executions. Every error body is {code, message, problems?}." },
      "components": {
        "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
        "schemas": {
          "Error": { "type": "object", "required": ["code", "message"],
                     "properties": { "code": { "type": "string" }, "message": { "type": "string" },
                                     "problems": { "type": "array", "items": { "$ref": "#/components/schemas/Problem" } } } },
          "Problem": { "type": "object", "required": ["code", "severity", "message"],
                       "properties": { "code": { "type": "string" }, "severity": { "enum": ["error", "warning"] },
                                       "message": { "type": "string" }, "node": { "type": "string" }, "file": { "type": "string" } } },
          "Workflow": { "type": "object", "required": ["id", "name", "version", "workflow", "createdAt", "updatedAt"],
                        "properties": { "id": { "type": "string" }, "name": { "type": "string" }, "version": { "type": "integer" },
                                        "workflow": { "type": "object" }, "createdAt": { "type": "string", "format": "date-time" },
                                        "updatedAt": { "type": "string", "format": "date-time" } } },
          "WorkflowPage": { "type": "object", "required": ["items", "nextCursor"],
                            "properties": { "items": { "type": "array", "items": { "type": "object" } },
                                            "nextCursor": { "type": ["string", "null"] } } }
        },
        "responses": {
          "Error": { "description": "An error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
          "Execution": { "description": "{id, workflowId, version, status, nodes: {name: node result}, createdAt, startedAt, finishedAt}",
                         "content": { "application/json": { "schema": { "type": "object" } } } },
          "Workflow": { "description": "One workflow version", "headers": { "ETag": { "schema": { "type": "string" } } },
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Workflow" } } } }
        }
      },
      "security": [ { "bearer": [] } ],
      "paths": {
        "/healthz": { "get": { "security": [], "summary": "The process is up.", "responses": { "200": { "description": "ok" } } } },
        "/readyz": { "get": { "security": [], "summary": "The database answers and plugins are loaded.",
                              "responses": { "200": { "description": "ready" }, "503": { "description": "not ready" } } } },
        "/metrics": { "get": { "security": [], "summary": "Prometheus text: requests by route and status, executions by status, node latencies.",
                               "responses": { "200": { "description": "text/plain; version=0.0.4" } } } },
        "/openapi.json": { "get": { "security": [], "summary": "This document.", "responses": { "200": { "description": "OpenAPI 3.1" } } } },
        "/v1/workflows": {
          "get": { "summary": "The tenant's workflows, a page at a time.",
                   "parameters": [ { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000 } },
                                   { "name": "cursor", "in": "query", "schema": { "type": "string" } },
                                   { "name": "name", "in": "query", "schema": { "type": "string" } } ],
                   "responses": { "200": { "description": "A page", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/WorkflowPage" } } } },
                                  "400": { "$ref": "#/components/responses/Error" }, "401": { "$ref": "#/components/responses/Error" } } },
          "post": { "summary": "Store a new workflow (validated first) as version 1.",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object" } } } },
                    "responses": { "201": { "$ref": "#/components/responses/Workflow" }, "401": { "$ref": "#/components/responses/Error" },
                                   "413": { "$ref": "#/components/responses/Error" }, "422": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/workflows/validate": {
          "post": { "summary": "Validate a workflow as `plugin-host validate --json` does.",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object" } } } },
                    "responses": { "200": { "description": "{valid, problems}" }, "401": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/workflows/{id}": {
          "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
          "get": { "summary": "The latest version.", "responses": { "200": { "$ref": "#/components/responses/Workflow" }, "404": { "$ref": "#/components/responses/Error" } } },
          "put": { "summary": "Store a new version; with If-Match, only if the latest is that version.",
                   "parameters": [ { "name": "If-Match", "in": "header", "schema": { "type": "string" } } ],
                   "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object" } } } },
                   "responses": { "200": { "$ref": "#/components/responses/Workflow" }, "404": { "$ref": "#/components/responses/Error" },
                                  "412": { "$ref": "#/components/responses/Error" }, "422": { "$ref": "#/components/responses/Error" } } },
          "delete": { "summary": "Delete it (its versions stay readable for its executions).",
                      "responses": { "204": { "description": "deleted" }, "404": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/workflows/{id}/versions": {
          "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
          "get": { "summary": "Every version.", "responses": { "200": { "description": "{items, nextCursor}" }, "404": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/workflows/{id}/execute": {
          "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
                          { "name": "Idempotency-Key", "in": "header", "schema": { "type": "string" } } ],
          "post": { "summary": "Start an execution (committed before the answer); with waitMs, the finished execution if it ends in time.",
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object",
                      "properties": { "version": { "type": "integer" }, "input": { "type": "array" }, "waitMs": { "type": "integer", "maximum": 60000 } } } } } },
                    "responses": { "200": { "$ref": "#/components/responses/Execution" }, "202": { "description": "{executionId, status}" },
                                   "400": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" },
                                   "503": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/executions": {
          "get": { "summary": "The tenant's executions, a page at a time.",
                   "parameters": [ { "name": "workflowId", "in": "query", "schema": { "type": "string" } },
                                   { "name": "status", "in": "query", "schema": { "type": "string" } },
                                   { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000 } },
                                   { "name": "cursor", "in": "query", "schema": { "type": "string" } } ],
                   "responses": { "200": { "description": "{items, nextCursor}" } } }
        },
        "/v1/executions/{id}": {
          "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
          "get": { "summary": "One execution with every node's result.", "responses": { "200": { "$ref": "#/components/responses/Execution" }, "404": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/executions/{id}/trace": {
          "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
          "get": { "summary": "The Chrome trace-event JSON of `run --trace`, from the execution's journal.",
                   "responses": { "200": { "description": "{traceEvents, displayTimeUnit}" }, "404": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/executions/{id}/rollback": {
          "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
          "post": { "summary": "Run the compensations of a degraded execution (settings.rollback manual); answers when done.",
                    "responses": { "200": { "description": "{id, status: rolledBack|rollbackFailed, rollback}" }, "404": { "$ref": "#/components/responses/Error" },
                                   "409": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/executions/{id}/cancel": {
          "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
          "post": { "summary": "Cancel: a queued execution ends cancelled, a running one's nodes see is_cancelled.",
                    "responses": { "200": { "description": "{id, status}" }, "202": { "description": "{id, status: cancelling}" }, "404": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/dead-letters": {
          "get": { "summary": "Failed executions kept for replay or resolution (unresolved ones; resolved=true for all).",
                   "parameters": [ { "name": "resolved", "in": "query", "schema": { "type": "boolean" } },
                                   { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000 } },
                                   { "name": "cursor", "in": "query", "schema": { "type": "string" } } ],
                   "responses": { "200": { "description": "{items: [{id, executionId, workflowId, version, error, createdAt, resolvedAt, replayedAs}], nextCursor}" } } }
        },
        "/v1/dead-letters/{id}/replay": {
          "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
          "post": { "summary": "A new execution of the same version and input, linked to the letter (which is resolved).",
                    "responses": { "202": { "description": "{executionId, status, deadLetterId}" }, "404": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/dead-letters/{id}/resolve": {
          "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
          "post": { "summary": "Mark the letter resolved.", "responses": { "200": { "description": "the letter" }, "404": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/workflows/{id}/versions/{version}": {
          "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
                          { "name": "version", "in": "path", "required": true, "schema": { "type": "integer" } } ],
          "get": { "summary": "One version.", "responses": { "200": { "$ref": "#/components/responses/Workflow" }, "404": { "$ref": "#/components/responses/Error" } } }
        }
      }
    }
    """#
}

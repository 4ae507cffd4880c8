// The OpenAPI 3.1 document and the readable reference page, both generated
// from the route list and its zod schemas (zod's own JSON Schema output).
import { z } from "zod";
import { TOKEN_SCOPES } from "../../core/tokens.ts";
import { problemSchema, refusalStatus, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE } from "./problem.ts";
import { COMMON_REFUSALS, type AnyApiRoute } from "./route.ts";

type Json = Record<string, unknown>;

/** A schema as JSON Schema 2020-12 (what OpenAPI 3.1 uses), its named parts moved to the components. */
function jsonSchema(schema: z.ZodType, io: "input" | "output", components: Json): Json {
  const generated = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Json;
  const { $schema: _dialect, $defs, ...rest } = generated;
  const moved = (value: unknown): Json =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;
  for (const [name, definition] of Object.entries(($defs ?? {}) as Json))
    components[name] = moved(definition);
  return moved(rest);
}

function parameters(schema: z.ZodType | undefined, where: "path" | "query", components: Json): Json[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const fieldSchema = jsonSchema(field, "input", components);
    const description =
      typeof fieldSchema["description"] === "string" ? fieldSchema["description"] : undefined;
    return {
      name,
      in: where,
      required: where === "path" || !field.safeParse(undefined).success,
      ...(description === undefined ? {} : { description }),
      schema: fieldSchema,
    };
  });
}

/** Every refusal status a route can answer, each with the codes behind it. */
function problemResponses(route: AnyApiRoute): Json {
  const byStatus = new Map<number, string[]>();
  for (const code of [...COMMON_REFUSALS, ...route.refusals]) {
    const status = refusalStatus(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  if (route.body !== undefined) byStatus.set(413, ["BODY_TOO_LARGE"]);
  return Object.fromEntries(
    [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, codes]) => [
        String(status),
        {
          description: `Refused: ${codes.join(", ")}`,
          ...(status === 429 ? { headers: { "Retry-After": { schema: { type: "integer" } } } } : {}),
          content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: "#/components/schemas/Problem" } } },
        },
      ]),
  );
}

function operation(route: AnyApiRoute, components: Json): Json {
  const idempotency = route.idempotent
    ? [
        {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description:
            "A retry with the same key and request returns the first answer and logs nothing twice",
          schema: { type: "string", maxLength: 255 },
        },
      ]
    : [];
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, response]) => [
      status,
      {
        description: response.description,
        content: {
          [response.contentType ?? "application/json"]: {
            schema:
              response.schema === undefined
                ? { type: "string" }
                : jsonSchema(response.schema, "output", components),
          },
        },
      },
    ]),
  );
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `Needs a token with the \`${route.scope}\` scope.`,
    tags: [route.path.split("/")[1] ?? ""],
    security: [{ bearer: [route.scope] }],
    parameters: [
      ...parameters(route.params, "path", components),
      ...parameters(route.query, "query", components),
      ...idempotency,
    ],
    ...(route.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchema(route.body, "input", components) } },
          },
        }),
    responses: { ...responses, ...problemResponses(route) },
  };
}

/** The OpenAPI 3.1 document of the routes, served at /api/v1/openapi.json. */
export function openApiDocument(routes: readonly AnyApiRoute[]): Json {
  const components: Json = {};
  const problem = jsonSchema(problemSchema, "output", components);
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route, components) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Cairn API",
      version: "1",
      description: `The community's contribution ledger for tools and agents. Refusals are RFC 9457 problem details whose type is ${PROBLEM_TYPE_BASE}<CODE> and whose detail is the chat's one-line text.`,
    },
    servers: [{ url: "/api/v1" }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: `A token from /token create or cairn token create; scopes: ${TOKEN_SCOPES.join(", ")}`,
        },
      },
      schemas: { ...components, Problem: problem },
    },
  };
}

const escapeHtml = (text: string): string =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

function fieldRows(schema: z.ZodType | undefined, where: string): string[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const json = z.toJSONSchema(field, { io: "input", unrepresentable: "any" }) as Json;
    const type = Array.isArray(json["enum"]) ? json["enum"].join(" | ") : String(json["type"] ?? "any");
    const optional = field.safeParse(undefined).success ? "optional" : "required";
    const description = typeof json["description"] === "string" ? json["description"] : "";
    return `<tr><td><code>${escapeHtml(name)}</code></td><td>${where}</td><td>${escapeHtml(type)}</td><td>${optional}</td><td>${escapeHtml(description)}</td></tr>`;
  });
}

/** A plain HTML reference of the routes, served at /api/v1/docs. */
export function referencePage(routes: readonly AnyApiRoute[]): string {
  const sections = routes.map((route) => {
    const rows = [
      ...fieldRows(route.params, "path"),
      ...fieldRows(route.query, "query"),
      ...fieldRows(route.body, "body"),
    ];
    const refusals = [...COMMON_REFUSALS, ...route.refusals].map(
      (code) => `${code} (${refusalStatus(code)})`,
    );
    return [
      `<section id="${escapeHtml(route.operationId)}">`,
      `<h2><code>${route.method} /api/v1${escapeHtml(route.path)}</code></h2>`,
      `<p>${escapeHtml(route.summary)}. Scope: <code>${route.scope}</code>.${route.idempotent ? " Takes an <code>Idempotency-Key</code> header." : ""}</p>`,
      rows.length === 0
        ? ""
        : `<table><tr><th>field</th><th>in</th><th>type</th><th></th><th>description</th></tr>${rows.join("")}</table>`,
      `<p>Answers ${Object.entries(route.responses)
        .map(([status, r]) => `${status} (${escapeHtml(r.description)})`)
        .join(", ")}; refusals: ${escapeHtml(refusals.join(", "))}.</p>`,
      "</section>",
    ].join("\n");
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cairn API reference</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.4}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}code{background:#f4f4f4}</style>
</head><body>
<h1>Cairn API reference</h1>
<p>Send <code>Authorization: Bearer &lt;token&gt;</code> (a moderator makes one with <code>/token create</code>). Scopes: ${TOKEN_SCOPES.map((s) => `<code>${s}</code>`).join(", ")}. Refusals are <code>application/problem+json</code> (RFC 9457) whose <code>type</code> ends in the refusal code. The machine-readable document is <a href="/api/v1/openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
${sections.join("\n")}
</body></html>
`;
}

// The HTTP load generator of `npm run bench api`, run as a child process of the
// bench so its CPU is not the server's (a client on another machine would not
// share it): N keep-alive clients, each POSTing contributions with its own
// token for the phase's seconds. Reads its plan as JSON on stdin and writes the
// phase's result as JSON on stdout.
import http from "node:http";
import { round } from "./support.ts";
import { drive, submitterFor } from "./throughput.ts";

export interface ClientPlan {
  readonly url: string;
  readonly callers: number;
  /** Tokens of submittersNeeded(callers) submitters, for the callers to take turns with. */
  readonly tokens: readonly string[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly runTag: string;
}

async function main(): Promise<void> {
  const plan = JSON.parse(await readStdin()) as ClientPlan;
  const callers = plan.callers;
  const agent = new http.Agent({ keepAlive: true, maxSockets: callers });
  const cpuAtStart = process.cpuUsage();
  try {
    const result = await drive(callers, plan.seconds, plan.warmupSeconds, async (caller, iteration) => {
      const token = submitterFor(plan.tokens, callers, caller, iteration);
      const status = await post(agent, `${plan.url}/api/v1/contributions`, token, {
        category: iteration % 2 === 0 ? "code" : "docs",
        title: `Bench contribution ${plan.runTag}/${caller}/${iteration}`,
        description: "Measured by npm run bench api.",
        links: [`https://example.org/bench/${plan.runTag}/${caller}/${iteration}`],
      });
      if (status === 201) return "ok";
      if (status >= 500) throw new Error(`HTTP ${status}`);
      return "refused";
    });
    const cpu = process.cpuUsage(cpuAtStart);
    const requests = result.transactions * ((plan.seconds + plan.warmupSeconds) / plan.seconds);
    const clientCpuMsPerRequest = round((cpu.user + cpu.system) / 1000 / Math.max(1, requests), 2);
    process.stdout.write(`${JSON.stringify({ ...result, clientCpuMsPerRequest })}\n`);
  } finally {
    agent.destroy();
  }
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

function post(agent: http.Agent, target: string, token: string, body: unknown): Promise<number> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      target,
      {
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

await main();

// The metrics_scrape_jobs the cos_agent library sends for metrics_endpoints [{path, port}]: one job per
// endpoint on localhost (the collector is a subordinate on the same machine), named
// <app>_<job or "default">_<4-byte BLAKE2b of the job's sorted JSON>, sorted by name.
import { blake2bHex } from "./blake2b";
import { pyJsonDumps } from "./py-json";

/** node-exporter on the machine: it serves the charm's textfile with the machine's own figures. */
export const METRICS_ENDPOINTS = [{ path: "/metrics", port: 9100 }];

export type ScrapeJob = Record<string, unknown> & { job_name: string };

/** The jobs for the application's endpoints. */
export function renderScrapeJobs(application: string, endpoints = METRICS_ENDPOINTS): ScrapeJob[] {
  const jobs = endpoints.map((endpoint) => ({
    metrics_path: endpoint.path,
    static_configs: [{ targets: [`localhost:${endpoint.port}`] }],
  }));
  return jobs
    .map((job) => {
      const hash = blake2bHex(Buffer.from(pyJsonDumps(job, true), "utf8"), 4);
      return { ...job, job_name: `${application}_default_${hash}` };
    })
    .sort((a, b) => (a.job_name < b.job_name ? -1 : a.job_name > b.job_name ? 1 : 0));
}

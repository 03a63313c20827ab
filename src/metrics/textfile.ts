import { writeFileAtomic } from "../fs/atomic";

/** Where Debian's and Ubuntu's prometheus-node-exporter read textfiles (its --collector.textfile.directory default). */
export const TEXTFILE_DIR = "/var/lib/prometheus/node-exporter";
export const TEXTFILE_PATH = `${TEXTFILE_DIR}/flannel.prom`;

/**
 * Writes the textfile atomically: node-exporter reads only *.prom, so the temporary file beside it is never
 * scraped, and a scrape sees the old figures or the new ones, never half of each.
 */
export async function writeTextfile(text: string, path = TEXTFILE_PATH): Promise<void> {
  await writeFileAtomic(path, text, { mode: 0o644 });
}

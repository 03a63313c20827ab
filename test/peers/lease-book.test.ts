import { describe, expect, it } from "vitest";
import {
  describeLeaseBook,
  markReclaimed,
  parseLeaseBook,
  renderLeaseBook,
  updateLeaseBook,
} from "../../src/peers/lease-book";

const GRACE = 60_000;
const live = (...pairs: [string, string | undefined][]) => pairs.map(([unit, ip]) => ({ unit, ip }));
const three = live(
  ["flannel/0", "198.51.100.11"],
  ["flannel/1", "198.51.100.12"],
  ["flannel/2", "198.51.100.13"],
);

describe("the lease book", () => {
  it("records live units and marks a vanished one departed, due only after the grace period", () => {
    const first = updateLeaseBook(parseLeaseBook({}), three, 1_000, GRACE);
    expect(first.book.units).toEqual({
      "flannel/0": "198.51.100.11",
      "flannel/1": "198.51.100.12",
      "flannel/2": "198.51.100.13",
    });
    const gone = updateLeaseBook(first.book, three.slice(0, 2), 2_000, GRACE);
    expect(gone.book.departed).toEqual({ "flannel/2": { ip: "198.51.100.13", since: 2_000 } });
    expect(gone.due).toEqual([]);
    expect(updateLeaseBook(gone.book, three.slice(0, 2), 2_000 + GRACE - 1, GRACE).due).toEqual([]);
    expect(updateLeaseBook(gone.book, three.slice(0, 2), 2_000 + GRACE, GRACE).due).toEqual([
      { unit: "flannel/2", ip: "198.51.100.13" },
    ]);
  });

  it("never reclaims an address a live unit uses again, nor while a live unit's address is unknown", () => {
    const { book } = updateLeaseBook(parseLeaseBook({}), three, 0, GRACE);
    const gone = updateLeaseBook(book, three.slice(0, 2), 0, GRACE).book;
    const reused = live(
      ["flannel/0", "198.51.100.11"],
      ["flannel/1", "198.51.100.12"],
      ["flannel/3", "198.51.100.13"],
    );
    expect(updateLeaseBook(gone, reused, GRACE * 2, GRACE)).toMatchObject({
      due: [],
      book: { departed: {} },
    });
    const unknown = live(
      ["flannel/0", "198.51.100.11"],
      ["flannel/1", "198.51.100.12"],
      ["flannel/3", undefined],
    );
    expect(updateLeaseBook(gone, unknown, GRACE * 2, GRACE).due).toEqual([]);
  });

  it("knows only addresses it recorded: an address never seen is never due", () => {
    const { due, book } = updateLeaseBook(parseLeaseBook({}), three.slice(0, 2), GRACE * 9, GRACE);
    expect(due).toEqual([]);
    expect(Object.values(book.units)).not.toContain("198.51.100.99");
  });

  it("round-trips through the application bag and tells the status what happened", () => {
    const { book } = updateLeaseBook(parseLeaseBook({}), three, 0, GRACE);
    const gone = updateLeaseBook(book, three.slice(0, 2), 0, GRACE).book;
    expect(parseLeaseBook(renderLeaseBook(gone))).toEqual(gone);
    expect(describeLeaseBook(gone, 0)).toEqual(["flannel/2 gone, its lease awaits reclaim"]);
    const done = markReclaimed(gone, "flannel/2", ["10.10.5.0-24"], 10);
    expect(describeLeaseBook(done, 20)).toEqual(["reclaimed flannel/2's lease 10.10.5.0/24"]);
    expect(describeLeaseBook(done, 10 + 3_600_000)).toEqual([]);
    expect(parseLeaseBook({ units: "garbage", departed: "[]" })).toEqual({ units: {}, departed: {} });
  });
});

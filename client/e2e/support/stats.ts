/** WebRTC statistics read in the page, from the RTCPeerConnections the init script recorded. */
import type { Page } from 'playwright-core';

export interface VideoIn {
  framesDecoded: number;
  bytesReceived: number;
}

/** Totals over every inbound video stream of the page. */
export function videoIn(page: Page): Promise<VideoIn> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    let framesDecoded = 0;
    let bytesReceived = 0;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') {
          framesDecoded += r.framesDecoded ?? 0;
          bytesReceived += r.bytesReceived ?? 0;
        }
      });
    }
    return { framesDecoded, bytesReceived };
  });
}

export interface Candidate {
  address: string;
  port: number;
  protocol: string;
  candidateType: string;
}

export interface IceView {
  /** Remote ends of the candidate pairs actually in use (selected by each transport). */
  selected: Candidate[];
  /** Every remote candidate the page learned of. */
  remote: Candidate[];
  /** Every local candidate the page gathered. */
  local: Candidate[];
}

/** The ICE picture of the page's open peer connections. */
export function ice(page: Page): Promise<IceView> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    const view = { selected: [] as Candidate[], remote: [] as Candidate[], local: [] as Candidate[] };
    const pick = (r: Record<string, unknown>): Candidate => ({
      address: String(r.address ?? r.ip ?? ''),
      port: Number(r.port),
      protocol: String(r.protocol),
      candidateType: String(r.candidateType),
    });
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((r) => {
        byId.set(r.id, r);
      });
      stats.forEach((r) => {
        if (r.type === 'remote-candidate') view.remote.push(pick(r));
        if (r.type === 'local-candidate') view.local.push(pick(r));
        if (r.type === 'transport' && r.selectedCandidatePairId) {
          const pair = byId.get(r.selectedCandidatePairId);
          const remote = pair && byId.get(String(pair.remoteCandidateId));
          if (remote) view.selected.push(pick(remote));
        }
      });
    }
    return view;
  });
}

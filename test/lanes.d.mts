export interface LabLane {
  prefix: string;
  files: string[];
  env?: Record<string, string>;
}
export const LAB_LANES: LabLane[];
export const UNIT_LANE_PREFIX: string;
export const LAB_LANE_FILES: string[];

// The sabotage suite (test/lab/sabotage/suite.ts): every planted mistake, then the repairs.
import { sabotageSuite } from './sabotage/suite.js';

sabotageSuite();

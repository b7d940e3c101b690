import { runGroup } from './run-group';

runGroup('a');

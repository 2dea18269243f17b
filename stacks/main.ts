/**
 * The cdk8s app: `npx cdk8s synth` (or `meshform synth`) runs this file and writes dist/.
 * Context such as `scenario` comes from `meshform synth --context scenario=split-50`.
 */
import { App } from 'cdk8s';
import { applyContext } from '../constructs/app-context';
import { BookinfoChart } from './bookinfo';

const app = new App();
applyContext(app);
new BookinfoChart(app, 'bookinfo');
app.synth();

import './base.css';
import './status.css';
import './browser-details.css';
import './browser.css';
import './browser-toolbar.css';
import 'uplot/dist/uPlot.min.css';
import './compare.css';

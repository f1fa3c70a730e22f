import './base.css';
import './status.css';
import './browser-details.css';
import './browser.css';
import './browser-toolbar.css';
import './compare.css';
import './compare-sections.css';
import './compare-parallel.css';

import './base.css';
import './runs.css';
import './resources.css';

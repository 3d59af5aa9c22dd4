import './base.css';
import './runs.css';
import './resources.css';
import './images.css';

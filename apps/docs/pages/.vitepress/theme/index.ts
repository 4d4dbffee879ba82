import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import BenchTables from './components/BenchTables.vue';
import MatrixLab from './components/MatrixLab.vue';
import ModelLab from './components/ModelLab.vue';
import './custom.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('MatrixLab', MatrixLab);
    app.component('ModelLab', ModelLab);
    app.component('BenchTables', BenchTables);
  },
} satisfies Theme;
